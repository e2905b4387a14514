// `sesshu tickets issue --tenant CODE --vaccine ID --dose N --address-number NNN [--kind K] [--json]`
// Issues one 接種券 for one person and prints its number and OCR line. Batches are issued by the
// selection work (issueTickets); this is for a single reissue or a test print.
import os from 'node:os';
import type { Command } from 'commander';
import { UsageError } from '../../cli/errors.ts';
import { parseMunicipalityCode } from '../../domain/municipality-code.ts';
import { withRuntime } from '../../runtime.ts';
import { consoleActor } from '../../security/actor.ts';
import { InputError, NotFoundError } from '../residents/persons.ts';
import { issueTicketByAddressNumber } from './ticket-numbers.ts';

interface IssueOpts {
  tenant: string;
  vaccine: string;
  dose: string;
  addressNumber: string;
  kind?: string;
  json?: boolean;
}

export function registerTicketCommands(program: Command): void {
  const tickets = program.command('tickets').description('vaccination tickets (接種券): numbers and OCR lines');
  tickets
    .command('issue')
    .description('issue one ticket for the person with this 宛名番号; prints the ticket number and the 18-digit OCR line')
    .requiredOption('--tenant <code>', '6-digit municipality code')
    .requiredOption('--vaccine <id>', 'vaccine id, e.g. covid, hib, mr')
    .requiredOption('--dose <n>', '回数 printed on the ticket, 0-9')
    .requiredOption('--address-number <nnn>', '宛名番号 of the person')
    .option('--kind <k>', '券種, one digit (default 1)')
    .option('--json', 'machine-readable output')
    .action(async (opts: IssueOpts) => {
      const code = parseMunicipalityCode(opts.tenant);
      if (!code.ok) throw new UsageError(code.reason);
      if (!/^[0-9]$/.test(opts.dose)) throw new UsageError(`--dose must be one digit 0-9, not ${opts.dose}`);
      if (opts.kind !== undefined && !/^[0-9]$/.test(opts.kind)) throw new UsageError(`--kind must be one digit, not ${opts.kind}`);
      if (!/^[0-9]{1,15}$/.test(opts.addressNumber)) throw new UsageError(`--address-number must be 1-15 digits, not ${opts.addressNumber}`);
      const actor = consoleActor(code.code, ['selection.run'], 'ticket issue (接種券発行)', os.userInfo().username);
      const ticket = await withRuntime(async (rt) => {
        try {
          return await issueTicketByAddressNumber(rt.db, actor, {
            addressNumber: opts.addressNumber,
            vaccine: opts.vaccine,
            doseNumber: Number(opts.dose),
            ...(opts.kind ? { kind: opts.kind } : {}),
          });
        } catch (err) {
          if (err instanceof InputError || err instanceof NotFoundError) throw new UsageError(err.message);
          throw err;
        }
      });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ ticketNumber: ticket.ticketNumber, ocrLine: ticket.ocrLine, vaccine: ticket.vaccine, dose: ticket.doseNumber, kind: ticket.kind })}\n`);
      } else {
        process.stdout.write(`ticket number (接種券番号): ${ticket.ticketNumber}\nOCR line (OCR行): ${ticket.ocrLine}\n`);
      }
    });
}
