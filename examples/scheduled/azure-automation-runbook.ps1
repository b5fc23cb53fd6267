<#
.SYNOPSIS
    Azure Automation runbook (PowerShell 7.4 runtime) for the scheduled IsmsOps HR job, signed in with the Automation
    account's managed identity.

.DESCRIPTION
    Setup, once:
    - Give the Automation account a system-assigned managed identity, and grant that identity the application
      permissions docs/graph-permissions.md lists for Import-IsmsHrFeed, Invoke-IsmsLifecycle and
      Get-IsmsOrphanedAccount (an app role assignment on the Microsoft Graph service principal; there is no consent
      screen for a managed identity).
    - Run it on a Hybrid Runbook Worker: the IsmsOps store (ISMSOPS_HOME: the people register, the cases and the audit
      trail) must persist between runs, and Azure's own sandboxes start empty each time. Install the IsmsOps module on
      the worker, and give ISMSOPS_HOME and the HR export a folder on it.
    - Link the runbook to a schedule (hourly, for example). A run that ends with an exception is marked Failed.
    The job itself is hr-sync.ps1; this runbook sets the environment it reads and fails the job on a non-zero exit.
#>
param(
    [string] $FeedPath = 'D:\hr\export.csv',
    [string] $MappingPath = 'D:\hr\mapping.yaml',
    [string] $IsmsHome = 'D:\isms',
    [string] $Script = 'C:\Program Files\IsmsOps\examples\scheduled\hr-sync.ps1',
    # For a user-assigned identity, its client id; empty for the system-assigned one.
    [string] $ClientId = ''
)

$env:ISMSOPS_HOME = $IsmsHome
$env:ISMSOPS_MANAGED_IDENTITY = '1'
if ($ClientId) { $env:ISMSOPS_CLIENT_ID = $ClientId }

& pwsh -NoProfile -NonInteractive -File $Script -FeedPath $FeedPath -MappingPath $MappingPath
if ($LASTEXITCODE -ne 0) {
    throw "hr-sync.ps1 ended with exit code $LASTEXITCODE (1: some people or rows failed; 2: the job could not run). The output above names each failure."
}
