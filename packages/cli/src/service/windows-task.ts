import { escapeXml, quoteWindowsArg } from "./quote.js";
import { SERVICE_DESCRIPTION, type ServiceCommand, serviceArgs } from "./types.js";

export const WINDOWS_TASK_NAME = "simplebackup";

export interface WindowsTaskOptions extends ServiceCommand {
  /** The account whose logon starts the task, e.g. `DESKTOP-1\ada`. */
  readonly userId: string;
}

/**
 * A Task Scheduler definition that starts the daemon when the user logs on, without a time limit, and
 * restarts it after a failure. Written as UTF-16, which `schtasks /Create /XML` expects.
 */
export function renderWindowsTaskXml(options: WindowsTaskOptions): string {
  const user = escapeXml(options.userId);
  const args = serviceArgs(options).map(quoteWindowsArg).join(" ");
  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    "  <RegistrationInfo>",
    `    <Description>${escapeXml(SERVICE_DESCRIPTION)}</Description>`,
    `    <URI>\\${WINDOWS_TASK_NAME}</URI>`,
    "  </RegistrationInfo>",
    "  <Triggers>",
    "    <LogonTrigger>",
    "      <Enabled>true</Enabled>",
    `      <UserId>${user}</UserId>`,
    "    </LogonTrigger>",
    "  </Triggers>",
    "  <Principals>",
    '    <Principal id="Author">',
    `      <UserId>${user}</UserId>`,
    "      <LogonType>InteractiveToken</LogonType>",
    "      <RunLevel>LeastPrivilege</RunLevel>",
    "    </Principal>",
    "  </Principals>",
    "  <Settings>",
    "    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>",
    "    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>",
    "    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>",
    "    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>",
    "    <RestartOnFailure>",
    "      <Interval>PT1M</Interval>",
    "      <Count>10</Count>",
    "    </RestartOnFailure>",
    "    <StartWhenAvailable>true</StartWhenAvailable>",
    "    <AllowStartOnDemand>true</AllowStartOnDemand>",
    "    <Enabled>true</Enabled>",
    "  </Settings>",
    '  <Actions Context="Author">',
    "    <Exec>",
    `      <Command>${escapeXml(options.node)}</Command>`,
    `      <Arguments>${escapeXml(args)}</Arguments>`,
    "    </Exec>",
    "  </Actions>",
    "</Task>",
    "",
  ].join("\r\n");
}
