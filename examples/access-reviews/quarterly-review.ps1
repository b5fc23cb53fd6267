<#
.SYNOPSIS
    The scheduled access review job: complete the auto-apply campaigns that are due, report the overdue ones, and
    start the next period of the recurring ones.

.DESCRIPTION
    One call does the work: Invoke-IsmsAccessReviewCycle. It decides everything from the store in ISMSOPS_HOME, so the
    job can run daily (or hourly): a run with nothing due changes nothing, a missed run's work is done by the next
    one, and a campaign is never completed twice nor given two successors. A quarter missed altogether gives one new
    campaign, starting on the day the job runs again, not a backlog.

    1. An Active campaign created with -AutoApply whose due date has passed is completed: reviewers' decisions and
       the campaign's default decision are applied, denied access is removed through Graph and denied guests are
       disabled; its evidence (AR-...-evidence.csv and .html) goes to -EvidencePath.
    2. A campaign past its due date without -AutoApply is reported with its overdue reviewers, never completed.
    3. A recurring campaign whose next start has come gets its successor: the same scope, reviewers and settings,
       its items frozen from -SnapshotPath, else from Graph live (the directory is read only when a successor is due).

    The Graph connection comes from the environment (../scheduled/connect-graph.ps1). The job uses core cmdlets only,
    so it runs in the bundled host (dotnet isms.dll -File quarterly-review.ps1 ...) as in pwsh 7.4.

    Exit codes: 0 everything due was done (overdue campaigns without auto-apply are reported, not failures); 1 some
    step failed (stderr names the campaign and the ErrorId; the next run tries it again, and what was done is not done
    twice); 2 the job could not run (no Graph connection configured, the module or the store unavailable); 3 with
    -FailOnOverdue, campaigns without auto-apply are past their due date and need a person.

.EXAMPLE
    dotnet /opt/isms/isms.dll -File quarterly-review.ps1 -EvidencePath /var/lib/isms/evidence/access-reviews
#>
[CmdletBinding()]
param(
    # Where each completed campaign's evidence is written (created when missing).
    [string] $EvidencePath = $env:ISMSOPS_REVIEW_EVIDENCE,

    # A whole-tenant snapshot to freeze successor campaigns from; Graph live when left out. It must be newer than the
    # snapshot the previous period was frozen from (the cycle refuses a stale one).
    [string] $SnapshotPath,

    # Exit 3 when campaigns without auto-apply are overdue.
    [switch] $FailOnOverdue
)

$ErrorActionPreference = 'Stop'
function Write-JobError([string] $message) { [Console]::Error.WriteLine("access-review: $message") }

try {
    Import-Module IsmsOps
    . ([System.IO.Path]::Combine($PSScriptRoot, '..', 'scheduled', 'connect-graph.ps1'))
    Connect-IsmsJobGraph | Out-Null
}
catch {
    Write-JobError "cannot start: $($_.Exception.Message)"
    exit 2
}

$cycle = @{ Confirm = $false }
if ($EvidencePath) { $cycle.EvidencePath = $EvidencePath }
if ($SnapshotPath) { $cycle.SnapshotPath = $SnapshotPath }

# A step that fails is a non-terminating error, collected here; the cycle goes on with the other campaigns.
$cycleErrors = @()
try {
    $results = @(Invoke-IsmsAccessReviewCycle @cycle -ErrorAction SilentlyContinue -ErrorVariable cycleErrors -WarningAction SilentlyContinue)
}
catch {
    Write-JobError "the cycle could not run: $($_.Exception.Message)"
    exit 2
}

foreach ($result in $results) {
    "access-review: $($result.CampaignId) $($result.Action) $($result.Outcome): $($result.Message)"
}

$failed = @($results | Where-Object { $_.Outcome -eq 'Failed' })
$overdue = @($results | Where-Object { $_.Action -eq 'ReportOverdue' })
"access-review: $($results.Count) step(s), $($failed.Count) failed, $($overdue.Count) overdue campaign(s) waiting for a person"

foreach ($failure in $failed) {
    Write-JobError "$($failure.CampaignId) $($failure.Action) failed ($($failure.ErrorId)): $($failure.Error.RecommendedAction)"
}
if ($failed.Count -gt 0) { exit 1 }
if ($FailOnOverdue -and $overdue.Count -gt 0) { exit 3 }
exit 0
