<#
.SYNOPSIS
    Azure Automation webhook runbook (PowerShell 7.4 runtime): one HR event per webhook call.

.DESCRIPTION
    Create a webhook on this runbook and give its URL to the HR system; the URL is the secret, so keep it in the HR
    system's secret store and rotate it before it expires. Azure Automation answers the HR system at once (202) and
    runs the job afterwards, so the HR system cannot see a refusal: check the job's output, or let the scheduled job
    (hr-sync.ps1) and Get-IsmsOnboarding / Get-IsmsOffboarding catch up.
    Run it on a Hybrid Runbook Worker with the IsmsOps module and a persistent ISMSOPS_HOME (see
    ../scheduled/azure-automation-runbook.ps1), signed in with the Automation account's managed identity.
    The body is written to a file and handed to handle-hr-event.ps1; the job fails on any exit code but 0.
#>
param(
    [object] $WebhookData,
    [string] $IsmsHome = 'D:\isms',
    [string] $Handler = 'C:\Program Files\IsmsOps\examples\webhook\handle-hr-event.ps1'
)

if (-not $WebhookData -or -not $WebhookData.RequestBody) {
    throw 'Start this runbook from its webhook: there is no request body.'
}

$env:ISMSOPS_HOME = $IsmsHome
$env:ISMSOPS_MANAGED_IDENTITY = '1'
$body = [System.IO.Path]::GetTempFileName()
try {
    [System.IO.File]::WriteAllText($body, $WebhookData.RequestBody)
    & pwsh -NoProfile -NonInteractive -File $Handler -BodyPath $body
    if ($LASTEXITCODE -ne 0) {
        throw "handle-hr-event.ps1 ended with exit code $LASTEXITCODE (1: the work failed, retried by the scheduled job; 2: not an event; 3: refused; 4: could not run or the store failed, retry)."
    }
}
finally {
    [System.IO.File]::Delete($body)
}
