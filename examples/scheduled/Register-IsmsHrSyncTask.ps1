<#
.SYNOPSIS
    Registers the IsmsOps HR job with Windows Task Scheduler: hourly, as a service account, whether or not anyone is
    signed in.

.DESCRIPTION
    Run once, elevated, in Windows PowerShell 5.1 or pwsh 7 on the machine that runs the job (the ScheduledTasks module
    is Windows-only). The task runs pwsh 7.4 with hr-sync.ps1; the job's exit code is the task's Last Run Result
    (0 done, 1 some people or rows failed, 2 could not run). Put the Graph settings (ISMSOPS_TENANT_ID,
    ISMSOPS_CLIENT_ID, ISMSOPS_CERT_THUMBPRINT with the certificate in the account's store) in the service account's
    environment, not on the command line.

.EXAMPLE
    ./Register-IsmsHrSyncTask.ps1 -FeedPath D:\hr\export.csv -MappingPath D:\hr\mapping.yaml -User 'CONTOSO\svc-isms$'
    Registers the task for a group managed service account (no password to store).
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $FeedPath,
    [Parameter(Mandatory)] [string] $MappingPath,
    # A gMSA (ending in $) needs no password; any other account is asked for one by Register-ScheduledTask.
    [Parameter(Mandatory)] [string] $User,
    [string] $TaskName = 'IsmsOps HR sync',
    [string] $Pwsh = "$env:ProgramFiles\PowerShell\7\pwsh.exe",
    [string] $Script = ([System.IO.Path]::Combine($PSScriptRoot, 'hr-sync.ps1')),
    [TimeSpan] $Every = [TimeSpan]::FromHours(1)
)

$arguments = "-NoProfile -NonInteractive -File `"$Script`" -FeedPath `"$FeedPath`" -MappingPath `"$MappingPath`""
$action = New-ScheduledTaskAction -Execute $Pwsh -Argument $arguments -WorkingDirectory ([System.IO.Path]::GetDirectoryName($Script))
$trigger = New-ScheduledTaskTrigger -Once -At ([datetime]::Today) -RepetitionInterval $Every
# A run that outlasts the interval is not doubled up; a run missed while the machine was off starts when it is back.
$settings = New-ScheduledTaskSettingsSet -MultipleInstances IgnoreNew -StartWhenAvailable -ExecutionTimeLimit ([TimeSpan]::FromHours(1))
$principal = if ($User.EndsWith('$')) {
    New-ScheduledTaskPrincipal -UserId $User -LogonType Password -RunLevel Limited
}
else {
    New-ScheduledTaskPrincipal -UserId $User -LogonType S4U -RunLevel Limited
}

if ($PSCmdlet.ShouldProcess($TaskName, "Register hourly task running $Script as $User")) {
    Register-ScheduledTask -TaskName $TaskName -TaskPath '\IsmsOps\' -Action $action -Trigger $trigger -Settings $settings -Principal $principal -Force
}
