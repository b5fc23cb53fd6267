<#
.SYNOPSIS
    The scheduled HR job: import the HR export, start the onboarding and offboarding it makes due, then run the exit
    review.

.DESCRIPTION
    1. Import-IsmsHrFeed applies the export's joiners, movers and leavers to the people register (once each: running
       the same file again changes nothing).
    2. Invoke-IsmsLifecycle, for everyone, starts what the register says is due: onboarding for joiners about to start
       (access beyond the baseline only once screening clears), offboarding for leavers whose end date has passed.
       It works from the register, not from this run's import, so work a failed or missed run left behind is picked
       up here.
    3. Get-IsmsOrphanedAccount lists enabled accounts with no active person (the exit review).

    Every step goes to the audit trail in ISMSOPS_HOME. The Graph connection comes from the environment
    (connect-graph.ps1). Runs in the bundled host (dotnet isms.dll -File hr-sync.ps1 ...) and in pwsh 7.4.

    Exit codes: 0 everything done (people waiting for screening are not failures); 1 some rows or some people failed
    (the output and stderr name them; the next run retries them); 2 the job could not run (no connection, no feed,
    a broken mapping); 3 with -FailOnOrphans, the exit review found accounts.

.EXAMPLE
    dotnet /opt/isms/isms.dll -File hr-sync.ps1 -FeedPath /srv/hr/export.csv -MappingPath /srv/hr/mapping.yaml
#>
[CmdletBinding()]
param(
    # The HR export (CSV with a header row, or a JSON array).
    [string] $FeedPath = $env:ISMSOPS_HR_FEED,

    # The column mapping (see examples/hr-feed-mapping.yaml).
    [string] $MappingPath = $env:ISMSOPS_HR_MAPPING,

    # Passed to Invoke-IsmsLifecycle: people worked on at once.
    [int] $ThrottleLimit = 8,

    # Exit 3 when the exit review finds enabled accounts with no active person.
    [switch] $FailOnOrphans
)

$ErrorActionPreference = 'Continue'
function Write-JobError([string] $message) { [Console]::Error.WriteLine("hr-sync: $message") }

if (-not $FeedPath -or -not $MappingPath) {
    Write-JobError 'Give -FeedPath and -MappingPath (or set ISMSOPS_HR_FEED and ISMSOPS_HR_MAPPING).'
    exit 2
}

try {
    Import-Module IsmsOps -ErrorAction Stop
    . ([System.IO.Path]::Combine($PSScriptRoot, 'connect-graph.ps1'))
    Connect-IsmsJobGraph | Out-Null
}
catch {
    Write-JobError "cannot start: $($_.Exception.Message)"
    exit 2
}

$failures = 0

# 1. The feed. A missing column or mapping stops the import before anything is applied.
try {
    $summary = Import-IsmsHrFeed -Path $FeedPath -MappingPath $MappingPath -Confirm:$false -ErrorAction Stop -WarningAction SilentlyContinue
}
catch {
    Write-JobError "the HR feed was not imported: $($_.Exception.Message)"
    exit 2
}
"hr-sync: feed $($summary.Path): $($summary.Rows) rows, $($summary.Joiners) joiners, $($summary.Movers) movers, $($summary.Leavers) leavers, $($summary.Unchanged) unchanged, $($summary.Errors.Count) rejected"
foreach ($rowError in $summary.Errors) {
    Write-JobError "rejected: $($rowError.Message)"
    $failures++
}

# 2. The work the register says is due, for everyone (not only this import's people).
$lifecycleErrors = @()
$results = @(Invoke-IsmsLifecycle -ThrottleLimit $ThrottleLimit -Confirm:$false -ErrorVariable +lifecycleErrors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
foreach ($result in $results) {
    "hr-sync: $($result.PersonId) $($result.Work) $($result.Status) $($result.CaseId)"
}
foreach ($lifecycleError in $lifecycleErrors) {
    Write-JobError "lifecycle: $($lifecycleError.Exception.Message)"
    $failures++
}

# 3. The exit review.
$orphans = @()
try {
    $orphans = @(Get-IsmsOrphanedAccount -ErrorAction Stop)
}
catch {
    Write-JobError "the exit review failed: $($_.Exception.Message)"
    $failures++
}
"hr-sync: exit review: $($orphans.Count) enabled account(s) with no active person"
foreach ($orphan in @($orphans | Where-Object { $_.Reason -ne 'NoPerson' })) {
    "hr-sync: orphan $($orphan.UserId) $($orphan.Reason) $($orphan.PersonId)"
}

if ($failures -gt 0) {
    Write-JobError "$failures failure(s); see above. The next run retries what is still due."
    exit 1
}
if ($FailOnOrphans -and $orphans.Count -gt 0) { exit 3 }
exit 0
