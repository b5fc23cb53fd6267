<#
.SYNOPSIS
    Handles one HR webhook delivery: applies the event and starts the onboarding or offboarding it makes due.

.DESCRIPTION
    The body (one JSON event: IdempotencyKey, Kind, PersonId and the fields of the change; dates as yyyy-MM-dd) comes
    from -BodyPath, or from standard input when -BodyPath is '-' or not given. Invoke-IsmsHrEvent applies it to the
    people register, once per IdempotencyKey; Invoke-IsmsLifecycle then does the work due for that person (a joiner
    due to start is onboarded; a leaver whose end date has passed is offboarded; a leaver whose end date is ahead is
    left for the scheduled job to find when it passes). A re-delivered event does nothing, and sends nothing to Graph.

    Prints one line per outcome. Exit codes, for the caller to turn into an HTTP status:
    0 applied or already processed (200); 1 the event was applied but the person's work failed (500: the sender may
    retry, and the scheduled job retries the work anyway); 2 the body is not an event (400: do not retry it unchanged);
    3 the event was refused, for example an unknown role or a reused key with a different body (422: do not retry it
    unchanged); 4 the handler could not run or the store failed, so nothing was applied (503: the sender should retry).

.EXAMPLE
    dotnet isms.dll -File handle-hr-event.ps1 -BodyPath ./delivery-4711.json

.EXAMPLE
    curl -s https://hr.example/export/event/4711 | dotnet isms.dll -File handle-hr-event.ps1
#>
[CmdletBinding()]
param(
    [string] $BodyPath = '-'
)

function Write-HandlerError([string] $message) { [Console]::Error.WriteLine("hr-event: $message") }

try {
    $body = if ($BodyPath -eq '-') { [Console]::In.ReadToEnd() } else { [System.IO.File]::ReadAllText($BodyPath) }
    Import-Module IsmsOps -ErrorAction Stop
    . ([System.IO.Path]::Combine($PSScriptRoot, '..', 'scheduled', 'connect-graph.ps1'))
    Connect-IsmsJobGraph | Out-Null
}
catch {
    Write-HandlerError "cannot start: $($_.Exception.Message)"
    exit 4
}

try {
    $outcome = Invoke-IsmsHrEvent -Json $body -Confirm:$false -ErrorAction Stop
}
catch {
    # Only IsmsOps.HrEvent.* errors are about the body; anything else (the store failing) is worth a retry.
    if ($_.FullyQualifiedErrorId -like 'IsmsOps.HrEvent.*') {
        Write-HandlerError "the body is not an HR event: $($_.Exception.Message)"
        exit 2
    }
    Write-HandlerError "not applied, retry later: $($_.Exception.Message)"
    exit 4
}

"hr-event: $($outcome.IdempotencyKey) $($outcome.Kind) $($outcome.PersonId) $($outcome.Status)"
if ("$($outcome.Status)" -eq 'Refused') {
    Write-HandlerError "refused ($($outcome.ErrorId)): $($outcome.Reason) $($outcome.RecommendedAction)"
    exit 3
}

$lifecycleErrors = @()
$results = @($outcome | Invoke-IsmsLifecycle -Confirm:$false -ErrorVariable +lifecycleErrors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
foreach ($result in $results) {
    "hr-event: $($result.PersonId) $($result.Work) $($result.Status) $($result.CaseId)"
}
foreach ($lifecycleError in $lifecycleErrors) {
    Write-HandlerError "lifecycle: $($lifecycleError.Exception.Message)"
}
if ($lifecycleErrors.Count -gt 0) { exit 1 }
exit 0
