<#
.SYNOPSIS
    Registers the IsmsOps access review job with Windows Task Scheduler: daily, as a service account, whether or not
    anyone is signed in.

.DESCRIPTION
    Run once, elevated, in Windows PowerShell 5.1 or pwsh 7 on the machine that runs the job (the ScheduledTasks module
    is Windows-only). The task runs pwsh 7.4 with quarterly-review.ps1; the job's exit code is the task's Last Run
    Result (0 done, 1 a campaign step failed, 2 could not run, 3 overdue campaigns with -FailOnOverdue). Put the Graph
    settings (ISMSOPS_TENANT_ID, ISMSOPS_CLIENT_ID, ISMSOPS_CERT_THUMBPRINT with the certificate in the account's
    store) in the service account's environment, not on the command line.

.EXAMPLE
    ./Register-IsmsAccessReviewTask.ps1 -EvidencePath D:\isms\evidence\access-reviews -User 'CONTOSO\svc-isms$'
    Registers the task for a group managed service account (no password to store).
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $EvidencePath,
    # A gMSA (ending in $) needs no password; any other account is asked for one by Register-ScheduledTask.
    [Parameter(Mandatory)] [string] $User,
    [string] $TaskName = 'IsmsOps access reviews',
    [string] $Pwsh = "$env:ProgramFiles\PowerShell\7\pwsh.exe",
    [string] $Script = ([System.IO.Path]::Combine($PSScriptRoot, 'quarterly-review.ps1')),
    [string] $At = '06:40'
)

$arguments = "-NoProfile -NonInteractive -File `"$Script`" -EvidencePath `"$EvidencePath`""
$action = New-ScheduledTaskAction -Execute $Pwsh -Argument $arguments -WorkingDirectory ([System.IO.Path]::GetDirectoryName($Script))
$trigger = New-ScheduledTaskTrigger -Daily -At $At
# A run missed while the machine was off starts when it is back; the cycle picks up everything that fell due.
$settings = New-ScheduledTaskSettingsSet -MultipleInstances IgnoreNew -StartWhenAvailable -ExecutionTimeLimit ([TimeSpan]::FromHours(2))
$principal = if ($User.EndsWith('$')) {
    New-ScheduledTaskPrincipal -UserId $User -LogonType Password -RunLevel Limited
}
else {
    New-ScheduledTaskPrincipal -UserId $User -LogonType S4U -RunLevel Limited
}

if ($PSCmdlet.ShouldProcess($TaskName, "Register daily task running $Script as $User")) {
    Register-ScheduledTask -TaskName $TaskName -TaskPath '\IsmsOps\' -Action $action -Trigger $trigger -Settings $settings -Principal $principal -Force
}
