-- Clinic submission files (医療機関からの接種記録ファイル): each dose version created from a file
-- points at its submission, so a second person can confirm the whole file at once (batch
-- ダブルチェック), and the submission records who confirmed it. controls: DATA-03, LOG-01
ALTER TABLE dose_versions ADD COLUMN submission_id uuid;
ALTER TABLE dose_versions
  ADD CONSTRAINT dose_versions_submission_fk FOREIGN KEY (municipality_code, submission_id)
  REFERENCES clinic_submissions (municipality_code, id);
CREATE INDEX dose_versions_submission ON dose_versions (municipality_code, submission_id) WHERE submission_id IS NOT NULL;

ALTER TABLE clinic_submissions ADD COLUMN encoding text;
ALTER TABLE clinic_submissions ADD COLUMN non_routine integer NOT NULL DEFAULT 0;
ALTER TABLE clinic_submissions ADD COLUMN confirmed_by text;
ALTER TABLE clinic_submissions ADD COLUMN confirmed_at timestamptz;
-- control: DATA-03 — the batch check is by a different person than the importer.
ALTER TABLE clinic_submissions ADD CONSTRAINT clinic_submissions_second_person CHECK (confirmed_by IS NULL OR confirmed_by <> submitted_by);
-- Only the confirmation may change a submission; its counts and hash stay as written.
GRANT UPDATE (confirmed_by, confirmed_at) ON clinic_submissions TO sesshu_app;
