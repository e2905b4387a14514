-- Coverage statistics (issue 6): a dose recorded on a duplicate that was later merged (名寄せ)
-- counts for the surviving person, so the coverage queries look merged persons up by survivor.
-- Few persons are ever merged: a partial index keeps that look-up off a scan of every person.
CREATE INDEX persons_merged_into ON persons (municipality_code, merged_into) WHERE merged_into IS NOT NULL;
