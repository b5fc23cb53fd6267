<#
.SYNOPSIS
    The IsmsOps main job, end to end, on the embedded store: register people, change them, read the audit trail,
    verify it, export it for an auditor, and show that tampering with the export is caught.
.DESCRIPTION
    Runs under the bundled host (dotnet run --project src/IsmsOps.Host -- -File examples/demo.ps1) or pwsh. It uses
    only PowerShell's core cmdlets, .NET calls and IsmsOps's own cmdlets. Every run starts from an empty store in
    -DataPath (default: out/demo under the repository), so it can be run again and again. Exits 0 when every check
    holds, 1 otherwise.
#>
param(
    # Where the demo keeps its store and evidence. It is emptied first.
    [string]$DataPath = [System.IO.Path]::Combine($PSScriptRoot, '..', 'out', 'demo')
)

$ErrorActionPreference = 'Stop'
$DataPath = [System.IO.Path]::GetFullPath($DataPath)
if ([System.IO.Directory]::Exists($DataPath)) { [System.IO.Directory]::Delete($DataPath, $true) }
$env:ISMSOPS_HOME = $DataPath
$failures = 0

function Step([string]$Title) { ''; "== $Title"; '' }

Step "1. Register the people in scope (as an HR feed would pipe them in). Store: $DataPath"
$hrFeed = @(
    [pscustomobject]@{ PersonId = 'E1001'; DisplayName = 'Ada Lovelace';    Department = 'Engineering'; JobRole = 'Software Engineer'; StartDate = '2024-03-04'; Location = 'GB'; Status = 'Active'; UserPrincipalName = 'ada@contoso.example' }
    [pscustomobject]@{ PersonId = 'E1002'; DisplayName = 'Grace Hopper';    Department = 'Engineering'; JobRole = 'Engineering Manager'; StartDate = '2021-09-01'; Location = 'US'; Status = 'Active'; UserPrincipalName = 'grace@contoso.example' }
    [pscustomobject]@{ PersonId = 'E1003'; DisplayName = 'Katherine Johnson'; Department = 'Finance';   JobRole = 'Financial Controller'; StartDate = '2022-01-10'; Location = 'US'; Status = 'Active'; UserPrincipalName = 'katherine@contoso.example' }
    [pscustomobject]@{ PersonId = 'C2001'; DisplayName = 'Alan Turing';     Department = 'Engineering'; JobRole = 'Security Consultant'; StartDate = '2026-11-02'; Location = 'GB'; Status = 'Active'; EmploymentType = 'Contractor' }
    [pscustomobject]@{ PersonId = 'E1004'; DisplayName = 'Hedy Lamarr';     Department = 'Research';    JobRole = 'Radio Engineer';     StartDate = '2026-12-01'; Location = 'AT'; Status = 'Onboarding' }
)
$hrFeed | New-IsmsPerson | Out-Null
Get-IsmsPerson | Out-Default

Step '2. Bad input is refused with a clear error, and nothing already stored changes'
try {
    New-IsmsPerson -PersonId e1001 -DisplayName 'Someone Else'
} catch {
    "Refused: $($_.Exception.Message)"
    "ErrorId: $($_.FullyQualifiedErrorId.Split(',')[0])"
    "Fix:     $($_.ErrorDetails.RecommendedAction)"
}
try {
    New-IsmsPerson -PersonId E1005 -DisplayName 'Mary Jackson' -Location 'United States'
} catch {
    "Refused: $($_.Exception.Message)"
}

Step '3. A mover and a leaver'
Set-IsmsPerson -PersonId E1002 -Department 'Security' -JobRole 'Head of Security'
Get-IsmsPerson E1003 | Set-IsmsPerson -Status Leaving -EndDate ([DateTime]::Today.AddDays(30)) -PassThru | Out-Default
'Engineering after the changes:'
Get-IsmsPerson -Department 'Eng*' | Out-Default

Step "4. The audit trail: every change, who made it, and each event's hash chained to the one before"
Get-IsmsAuditEvent | Out-Default
"History of E1003 (a person piped to Get-IsmsAuditEvent):"
Get-IsmsPerson E1003 | Get-IsmsAuditEvent | ForEach-Object { "  #$($_.Sequence) $($_.Action) $($_.Details)" }

Step '5. Verify the trail in the store'
$check = Test-IsmsAuditTrail
$check | Out-Default
if (-not $check.IsValid) { $failures++ }

Step '6. Export the evidence for an auditor, and verify the export offline against the published key'
$evidence = [System.IO.Path]::Combine($DataPath, 'evidence')
[void][System.IO.Directory]::CreateDirectory($evidence)
$trailFile = [System.IO.Path]::Combine($evidence, 'trail.jsonl')
$export = Export-IsmsAuditTrail -Path $trailFile
$export | Out-Default
$offline = Test-IsmsAuditTrail -Path $trailFile -TrustedKeyId $export.SigningKeyId
"Export verifies: $($offline.IsValid) ($($offline.Message))"
if (-not $offline.IsValid) { $failures++ }

Step '7. Someone edits the exported evidence: the auditor sees where, and how'
$tampered = [System.IO.Path]::Combine($evidence, 'tampered.jsonl')
$lines = [System.IO.File]::ReadAllLines($trailFile)
$lines[2] = $lines[2].Replace('Katherine Johnson', 'K. Johnson')
[System.IO.File]::WriteAllText($tampered, ([string]::Join("`n", $lines) + "`n"))
[System.IO.File]::Copy($trailFile + '.manifest.json', $tampered + '.manifest.json', $true)
$caught = Test-IsmsAuditTrail -Path $tampered -TrustedKeyId $export.SigningKeyId
"Tampered export verifies: $($caught.IsValid); tampering: $($caught.Tampering) at sequence $($caught.FirstBadSequence)"
"  $($caught.Message)"
if ($caught.IsValid -or "$($caught.Tampering)" -ne 'Edit') { $failures++ }

''
if ($failures -eq 0) {
    "Demo complete. The store, signing key and evidence are in $DataPath"
    exit 0
}
"Demo FAILED: $failures check(s) did not hold."
exit 1
