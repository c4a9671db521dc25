import { type Command, Option } from 'commander';

/** Adds the options of a command on a data folder. */
export function withFolderOptions(command: Command): Command {
  return command
    .requiredOption('--data <dir>', 'the data folder (created on first use)')
    .addOption(new Option('--app-key <key>', 'the application key, e.g. github.com/me/app').env('DISCRET_APP_KEY').makeOptionMandatory())
    .addOption(new Option('--login <login>', 'the login; with the password, it makes the keys').env('DISCRET_LOGIN').makeOptionMandatory())
    .option('--password-env <var>', 'read the password from this environment variable (else asked on the terminal)')
    .option('--model <file>', 'the data model file (remembered in the data folder for later commands)');
}
