<#
.SYNOPSIS
    The IsmsOps main job, end to end, on the embedded store: register people, change them, read the audit trail,
    verify it, export it for an auditor, and show that tampering with the export is caught. Then the directory: start
    the Graph sandbox (a generated tenant on 127.0.0.1), connect to it, snapshot it, and show one person's access
    inventory, live and offline; onboard a screened joiner, offboard leavers, and let HR events drive a joiner, a
    mover and a leaver through Invoke-IsmsLifecycle. It ends with a compliance report: the shipped controls evaluated
    over the closing snapshot and the register, exported for an auditor, a CI pipeline and code scanning.
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

Step '4. Terms, NDA and security training: which version each person accepted, and when'
Set-IsmsAcknowledgement E1001 NonDisclosureAgreement -Version 1.0 -On 2024-03-01 -Evidence 'esign 1a2b' | Out-Null
Set-IsmsAcknowledgement E1001 NonDisclosureAgreement -Version 2.0 -On 2026-02-01 -Evidence 'esign 5f1c' | Out-Null
Set-IsmsAcknowledgement E1002 NonDisclosureAgreement -Version 1.0 -On 2021-08-20 | Out-Null
$lmsExport = @(
    [pscustomobject]@{ EmployeeId = 'E1001'; Course = 'Security Awareness'; CourseVersion = '2026'; CompletedOn = '2026-01-12'; CertificateId = 'LMS-88121' }
    [pscustomobject]@{ EmployeeId = 'E1002'; Course = 'Security Awareness'; CourseVersion = '2026'; CompletedOn = '2025-12-01'; CertificateId = 'LMS-88122' }
    [pscustomobject]@{ EmployeeId = 'E1003'; Course = 'Security Awareness'; CourseVersion = '2026'; CompletedOn = '12/01/2026'; CertificateId = 'LMS-88123' }
    [pscustomobject]@{ EmployeeId = 'E9999'; Course = 'Security Awareness'; CourseVersion = '2026'; CompletedOn = '2026-01-15'; CertificateId = 'LMS-88124' }
)
$lmsExport | Set-IsmsAcknowledgement -Kind SecurityTraining -ErrorAction SilentlyContinue -ErrorVariable badRows | Out-Null
$badRows | ForEach-Object { "Refused: $($_.ErrorDetails.Message)" }
if ($badRows.Count -ne 2) { $failures++ }
'E1001 keeps both NDA versions, oldest first:'
Get-IsmsAcknowledgement -PersonId E1001 -Kind NonDisclosureAgreement | Out-Default
'Who has not signed NDA 2.0:'
Get-IsmsAcknowledgement -Missing -Kind NonDisclosureAgreement -Version 2.0 | Out-Default
'Security training missing, lapsed or lapsing within 30 days of 2026-11-15:'
Get-IsmsAcknowledgement -Missing -Name 'Security Awareness' -ExpiringWithinDays 30 -AsOf 2026-11-15 | Out-Default

Step '5. Roles as code: the catalog in policies/roles/*.yaml, and the role each person''s JobRole names'
Get-IsmsRole | Out-Default
Get-IsmsPerson E1001, E1003 | ForEach-Object {
    $role = $_ | Get-IsmsRole
    "  $($_.PersonId) $($_.DisplayName): $($role.Id), screening $($role.ScreeningLevelFor($_.Location)), review every $($role.AccessReview), privileged $($role.Privileged)"
}
"Privileged roles: $((Get-IsmsRole -Privileged | ForEach-Object Id) -join ', ')"
"Payroll approver conflicts: $((Get-IsmsRole payroll-approver).Conflicts -join '; ')"
$badRoles = [System.IO.Path]::Combine($DataPath, 'roles-broken.yaml')
[System.IO.File]::WriteAllText($badRoles, "roles:`n  - id: payroll-approver`n    title: Payroll Approver`n    screening: { level: Severe }`n    accessReview: quarterly`n    conflicts:`n      - role: payments-operater`n")
"A broken role file is refused with every error at its file:line:column:"
$roleErrors = @(Test-IsmsRoleCatalog -Path $badRoles)
$roleErrors | ForEach-Object { "  $_" }
if ($roleErrors.Count -ne 3 -or @(Test-IsmsRoleCatalog).Count -ne 0) { $failures++ }

Step '6. Screening: each joiner is screened to the level the role needs before access follows'
$scr = New-IsmsScreening -PersonId E1004 -Level Standard -Status Requested -Provider 'Acme Screening' -ProviderReference ACME-2231 `
    -Notes 'Asked to call after 17:00; previous employer reference via HR'
$scr | Out-Default
'Clearing it before every required check is Clear is refused:'
try {
    Set-IsmsScreening $scr.ScreeningId -Identity Clear -RightToWork Clear -Status Cleared
    'The screening was cleared with checks still pending!'
    $failures++
} catch {
    "Refused: $($_.FullyQualifiedErrorId.Split(',')[0]): $($_.Exception.Message)"
}
'-WhatIf shows what would change, naming the sensitive note without its text:'
Get-IsmsScreening -PersonId E1004 | Set-IsmsScreening -Identity Clear -RightToWork Clear -CriminalRecord Clear -References Clear -Status Cleared -Notes 'Cleared; nothing to note' -WhatIf
$cleared = Get-IsmsScreening -PersonId E1004 | Set-IsmsScreening -Identity Clear -RightToWork Clear -CriminalRecord Clear -References Clear -Status Cleared -PassThru
$cleared | Out-Default
"Re-screen due on $($cleared.RescreenDueOn.ToString('yyyy-MM-dd')) (the interval for the level in policies/screening.yaml)"
if ("$($cleared.Status)" -ne 'Cleared') { $failures++ }
'Notes are shown only on request, and that read is audited (ids and field names, never the text):'
Get-IsmsScreening -PersonId E1004 -IncludeSensitive | Out-Default
Get-IsmsAuditEvent -Target person:E1004 -Action PersonalData.Read | Out-Default
'A waiver for E1001 counts only when someone other than its requester approves it:'
$wv = New-IsmsScreening -PersonId E1001 -Level Enhanced -Status Requested -Provider 'Acme Screening'
Set-IsmsScreening $wv.ScreeningId -Status Waived -WaiverReason 'Provider backlog; read-only baseline until cleared'
try {
    Approve-IsmsScreeningWaiver $wv.ScreeningId -Reason 'Approving my own request' -ExpiresOn ([DateTime]::UtcNow.AddDays(30)) -Confirm:$false
    'The requester approved their own waiver!'
    $failures++
} catch {
    "Refused: $($_.FullyQualifiedErrorId.Split(',')[0]): $($_.Exception.Message)"
}
Get-IsmsScreening | Out-Default

Step '7. HR automation: an HR export imported through a column mapping, webhook events applied once, leavers found by window'
$feedCsv = [System.IO.Path]::Combine($PSScriptRoot, 'hr-feed.csv')
$feedMap = [System.IO.Path]::Combine($PSScriptRoot, 'hr-feed-mapping.yaml')
$first = Import-IsmsHrFeed -Path $feedCsv -MappingPath $feedMap
"First import: joiners $($first.Joiners), movers $($first.Movers), leavers $($first.Leavers), unchanged $($first.Unchanged), errors $($first.Errors.Count)"
$second = Import-IsmsHrFeed -Path $feedCsv -MappingPath $feedMap
"Second import of the same file: joiners $($second.Joiners), leavers $($second.Leavers) (E2004, whose end date has passed), unchanged $($second.Unchanged)"
$third = Import-IsmsHrFeed -Path $feedCsv -MappingPath $feedMap
"Third import: nothing left to do: joiners $($third.Joiners), movers $($third.Movers), leavers $($third.Leavers), unchanged $($third.Unchanged)"
if ($first.Joiners -ne 4 -or $second.Leavers -ne 1 -or ($third.Joiners + $third.Movers + $third.Leavers) -ne 0) { $failures++ }
$body = '{ "idempotencyKey": "wd-5001", "kind": "Mover", "personId": "E2002", "jobRole": "Engineering Manager" }'
'A webhook delivers a mover, then delivers it again, then reuses its key for another body:'
@(Invoke-IsmsHrEvent -Json $body; Invoke-IsmsHrEvent -Json $body; Invoke-IsmsHrEvent -Json ($body -replace 'Engineering Manager', 'Payroll Approver')) |
    ForEach-Object { "  $($_.Status) $($_.ErrorId)" }
"E2002's role now: $((Get-IsmsPerson E2002).JobRole)"

Step "8. The audit trail: every change, who made it, and each event's hash chained to the one before"
Get-IsmsAuditEvent | Out-Default
"History of E1003 (a person piped to Get-IsmsAuditEvent):"
Get-IsmsPerson E1003 | Get-IsmsAuditEvent | ForEach-Object { "  #$($_.Sequence) $($_.Action) $($_.Details)" }

Step '9. Verify the trail in the store'
$check = Test-IsmsAuditTrail
$check | Out-Default
if (-not $check.IsValid) { $failures++ }

Step '10. Export the evidence for an auditor, and verify the export offline against the published key'
$evidence = [System.IO.Path]::Combine($DataPath, 'evidence')
[void][System.IO.Directory]::CreateDirectory($evidence)
$trailFile = [System.IO.Path]::Combine($evidence, 'trail.jsonl')
$export = Export-IsmsAuditTrail -Path $trailFile
$export | Out-Default
$offline = Test-IsmsAuditTrail -Path $trailFile -TrustedKeyId $export.SigningKeyId
"Export verifies: $($offline.IsValid) ($($offline.Message))"
if (-not $offline.IsValid) { $failures++ }

Step '11. Someone edits the exported evidence: the auditor sees where, and how'
$tampered = [System.IO.Path]::Combine($evidence, 'tampered.jsonl')
$lines = [System.IO.File]::ReadAllLines($trailFile)
$lines[2] = $lines[2].Replace('Katherine Johnson', 'K. Johnson')
[System.IO.File]::WriteAllText($tampered, ([string]::Join("`n", $lines) + "`n"))
[System.IO.File]::Copy($trailFile + '.manifest.json', $tampered + '.manifest.json', $true)
$caught = Test-IsmsAuditTrail -Path $tampered -TrustedKeyId $export.SigningKeyId
"Tampered export verifies: $($caught.IsValid); tampering: $($caught.Tampering) at sequence $($caught.FirstBadSequence)"
"  $($caught.Message)"
if ($caught.IsValid -or "$($caught.Tampering)" -ne 'Edit') { $failures++ }

Step '12. The directory: a sandbox tenant on 127.0.0.1 stands in for Entra ID, reached through the Microsoft Graph SDK'
$sandbox = Start-IsmsSandbox -UserCount 500
$sandbox | Out-Default
Connect-IsmsGraph -Sandbox $sandbox
Get-IsmsGraphConnection | Out-Default

Step '13. Snapshot the whole directory into one file an auditor can verify (compressed JSON plus a SHA-256 of its content)'
$snapshotFile = [System.IO.Path]::Combine($evidence, 'directory.json.gz')
$snapshot = Export-IsmsDirectorySnapshot -Path $snapshotFile
$snapshot | Out-Default
"Audited as: $((Get-IsmsAuditEvent -Action Directory.SnapshotExported).Target)"
$orphans = @(Get-IsmsOrphanedAccount -SnapshotPath $snapshotFile)
"Exit review: $($orphans.Count) enabled accounts in the snapshot have no active person in the register; the first five:"
$orphans[0..4] | Out-Default

Step '14. One person''s access, live from Graph: every group (direct or inherited through nesting), role, app role, licence and device, and who can remove it'
# The sandbox user with the most tangled access: nested groups, an app role, a directory role through a group.
$subject = @($sandbox.Tenant.Users | Where-Object { $_.AccountEnabled -and $_.UserType -eq 'Member' -and $_.MemberOf.Count -ge 3 })[0]
New-IsmsPerson -PersonId E3001 -DisplayName $subject.DisplayName -Department $subject.Department -UserPrincipalName $subject.UserPrincipalName -Status Active -StartDate '2023-05-01' | Out-Null
$live = @(Get-IsmsAccess -PersonId E3001)
$live | Out-Default
"$($live.Count) grants for $($subject.UserPrincipalName); not removable through Graph alone:"
$live | Where-Object { "$($_.Removal)" -ne 'Graph' } | ForEach-Object { "  $($_.Kind) $($_.ResourceDisplayName): $($_.Removal). $($_.RemovalNote)" }
if ($live.Count -eq 0) { $failures++ }

Step '15. Offline, as an auditor would: the same inventory from the snapshot file, and a damaged file is refused'
$offline = @(Get-IsmsAccess -PersonId E3001 -SnapshotPath $snapshotFile)
function GrantKeys($grants) {
    [string[]]$keys = @($grants | ForEach-Object { "$($_.Kind)|$($_.ResourceId)|$($_.Assignment)|$($_.Removal)" })
    [Array]::Sort($keys, [StringComparer]::Ordinal)
    [string]::Join(';', $keys)
}
$same = (GrantKeys $offline) -eq (GrantKeys $live)
"Offline inventory: $($offline.Count) grants, from snapshot $($offline[0].SnapshotSha256); same as live: $same"
if (-not $same) { $failures++ }
$damaged = [System.IO.Path]::Combine($evidence, 'damaged.json.gz')
$bytes = [System.IO.File]::ReadAllBytes($snapshotFile)
[System.IO.File]::WriteAllBytes($damaged, $bytes[0..([int]($bytes.Length / 2))])
try {
    Import-IsmsDirectorySnapshot -Path $damaged | Out-Null
    'The damaged snapshot was accepted!'
    $failures++
} catch {
    "Refused: $($_.FullyQualifiedErrorId.Split(',')[0]): $($_.Exception.Message)"
}

Step '16. A joiner: E1004, whose screening cleared in step 6, gets an account and the birthright access of their role'
try {
    Start-IsmsOnboarding -PersonId E1004 -Confirm:$false -ErrorAction Stop | Out-Null
    'E1004 was onboarded into a role the catalog does not have!'
    $failures++
} catch {
    "Refused: $($_.FullyQualifiedErrorId.Split(',')[0]): $($_.Exception.Message)"
}
Set-IsmsPerson -PersonId E1004 -JobRole software-engineer -UserPrincipalName ('hedy.lamarr@' + $sandbox.Tenant.DefaultDomain)
Start-IsmsOnboarding -PersonId E1004 -WhatIf
$results = @(Start-IsmsOnboarding -PersonId E1004 -IssueTemporaryAccessPass -Confirm:$false)
$onboarded = @($results | Where-Object { $_.CaseId })[0]
$pass = @($results | Where-Object { $_.TemporaryAccessPass })[0]
$onboarded | Out-Default
# The pass is a credential: the cmdlet hands it to the caller once, and a script passes it on (to the manager, say),
# never to a log. The demo only says that it came.
"A Temporary Access Pass for $($pass.UserPrincipalName), valid $($pass.LifetimeInMinutes) minutes, was returned once; it is not stored or audited."
(Get-IsmsOnboarding -PersonId E1004).Steps | Out-Default
Get-IsmsAuditEvent -Action Onboarding.GateDecided | Out-Default
$hedy = $sandbox.Tenant.FindUser('hedy.lamarr@' + $sandbox.Tenant.DefaultDomain)
$inEngineering = @($sandbox.Tenant.Groups | Where-Object DisplayName -eq 'Engineering')[0].HasMember($hedy.Id)
"The directory now holds $($hedy.UserPrincipalName), a member of Engineering: $inEngineering"
$again = Start-IsmsOnboarding -PersonId E1004 -Confirm:$false
"Running it again: $($again.Status), nothing changed"
if (-not $inEngineering -or -not $pass -or "$($onboarded.Status)" -ne 'Completed' -or "$($again.Status)" -ne 'Completed') { $failures++ }

Step '17. E3001 leaves: every access Graph can remove goes, each step is stored with its audit event, and the directory is re-read to prove it'
Set-IsmsPerson -PersonId E3001 -Status Leaving -EndDate ([DateTime]::Today)
$case = Start-IsmsOffboarding -PersonId E3001 -Confirm:$false
$case | Out-Default
$outcomes = @{}
$case.Steps | ForEach-Object { $outcomes["$($_.Status)"] = 1 + [int]$outcomes["$($_.Status)"] }
"Steps by outcome: $(($outcomes.Keys | ForEach-Object { "$_ $($outcomes[$_])" }) -join ', ')"
"Left to a person (manual tasks):"
$case.Steps | Where-Object { "$($_.Status)" -eq 'ManualTask' } | ForEach-Object { "  $($_.Kind) $($_.ResourceDisplayName): $($_.Reason)" }
# Devices stay registered to the leaver (disabled) until the asset comes back, so they are left out of this count.
$after = @(Get-IsmsAccess -PersonId E3001 | Where-Object { "$($_.Removal)" -eq 'Graph' -and "$($_.Kind)" -ne 'Device' })
"Access Graph could still remove, re-read live: $($after.Count); account enabled: $($subject.AccountEnabled)"
$after | ForEach-Object { "  $($_.Kind) $($_.ResourceDisplayName) $($_.Assignment) $($_.RemovalNote)" }
if ($after.Count -ne 0 -or $subject.AccountEnabled -or "$($case.Status)" -notlike 'Completed*') { $failures++ }
"Audit events for the case: $(@(Get-IsmsAuditEvent -Target "offboarding:$($case.CaseId)").Count)"
"The service desk does the manual tasks and records them:"
$closed = $null
$case.Steps | Where-Object { "$($_.Status)" -eq 'ManualTask' } | ForEach-Object {
    $closed = Complete-IsmsOffboardingTask -CaseId $case.CaseId -Sequence $_.Sequence -Note 'Done by the service desk, ticket SD-1042' -Confirm:$false
}
"Case $($closed.CaseId): $($closed.Status)"
if ("$($closed.Status)" -ne 'Completed') { $failures++ }
$case = $closed
$resumed = Resume-IsmsOffboarding -CaseId $case.CaseId -Confirm:$false
"Running the finished case again changes nothing: version $($case.Version) -> $($resumed.Version)"
if ($resumed.Version -ne $case.Version) { $failures++ }

Step '18. The leaver''s evidence for the auditor: one JSON record and a readable page, checked against the audit trail'
$record = Export-IsmsOffboardingEvidence -CaseId $case.CaseId -Path $evidence
$check = $record | Test-IsmsOffboardingEvidence
"$($record.JsonPath) (SHA-256 $($record.JsonSha256)) and $([System.IO.Path]::GetFileName($record.HtmlPath)): $($check.Message)"
$edited = [System.IO.Path]::Combine($evidence, 'edited.evidence.json')
[System.IO.File]::WriteAllText($edited, [System.IO.File]::ReadAllText($record.JsonPath).Replace('"status": "Done"', '"status": "Failed"'))
$caught = Test-IsmsOffboardingEvidence -Path $edited
"A record whose step statuses were edited: Valid $($caught.Valid); $($caught.Message)"
if (-not $check.Valid -or $caught.Valid) { $failures++ }

Step '19. An HR feed of leavers, piped in and offboarded four at a time; a row naming no one is an error that stops no other'
$feedUsers = @($sandbox.Tenant.Users | Where-Object { $_.AccountEnabled -and $_.UserType -eq 'Member' -and $_.Id -ne $subject.Id })[10..14]
$n = 0
$feed = @($feedUsers | ForEach-Object {
    $n++
    [pscustomobject]@{ PersonId = "E400$n"; DisplayName = $_.DisplayName; UserPrincipalName = $_.UserPrincipalName; Status = 'Leaving'; StartDate = '2024-01-08'; EndDate = [DateTime]::Today }
})
$feed | New-IsmsPerson | Out-Null
$feed += [pscustomobject]@{ PersonId = 'E4999' }
$fed = @($feed | Start-IsmsOffboarding -ThrottleLimit 4 -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable feedErrors)
$fed | Out-Default
"$($fed.Count) leavers offboarded, $(@($fed | Where-Object { "$($_.Status)" -like 'Completed*' }).Count) of them verified; $($feedErrors.Count) row(s) refused:"
$feedErrors | ForEach-Object { "  $($_.FullyQualifiedErrorId.Split(',')[0]): $($_.Exception.Message)" }
if ($fed.Count -ne 5 -or $feedErrors.Count -ne 1 -or @($fed | Where-Object { "$($_.Status)" -notlike 'Completed*' }).Count -ne 0) { $failures++ }

Step '20. HR drives the work: a joiner arrives by webhook, gets role access only once screening clears, moves role, and leaves'
$domain = $sandbox.Tenant.DefaultDomain
$joiner = '{ "idempotencyKey": "wd-7001", "kind": "Joiner", "personId": "E5001", "displayName": "Rosalind Franklin", "userPrincipalName": "rosalind.franklin@' + $domain + '", "department": "Engineering", "jobRole": "Software Engineer", "startDate": "' + [DateTime]::UtcNow.AddDays(-14).ToString('yyyy-MM-dd') + '", "location": "GB" }'
$run = Invoke-IsmsHrEvent -Json $joiner | Invoke-IsmsLifecycle -Confirm:$false
$run | Out-Default
$rosalind = $sandbox.Tenant.FindUser("rosalind.franklin@$domain")
function InGroup([string]$Name) { @($sandbox.Tenant.Groups | Where-Object DisplayName -eq $Name)[0].HasMember($rosalind.Id) }
"The account exists (the role allows a baseline before clearance); in Engineering: $(InGroup 'Engineering')"
if (-not $rosalind -or "$($run.Status)" -ne 'Blocked' -or (InGroup 'Engineering')) { $failures++ }
New-IsmsScreening -PersonId E5001 -Level Standard -Status Requested -Provider 'Acme Screening' | Out-Null
Get-IsmsScreening -PersonId E5001 | Set-IsmsScreening -Identity Clear -RightToWork Clear -CriminalRecord Clear -References Clear -Status Cleared | Out-Null
'Screening clears; the scheduled run (Invoke-IsmsLifecycle, every few minutes) grants the role''s access:'
$run = Invoke-IsmsLifecycle -PersonId E5001 -Confirm:$false
$run | Out-Default
"In Engineering: $(InGroup 'Engineering'); in Source Code Readers: $(InGroup 'Source Code Readers'); register status: $($run.PersonStatus)"
if ("$($run.Status)" -ne 'Completed' -or -not (InGroup 'Source Code Readers')) { $failures++ }
$requests = $sandbox.RequestCount
$redelivered = Invoke-IsmsHrEvent -Json $joiner
$rerun = $redelivered | Invoke-IsmsLifecycle -Confirm:$false
"The webhook delivers the joiner again: $($redelivered.Status); the run finds $($rerun.Work) to do ($($rerun.Status)); requests sent to Graph: $($sandbox.RequestCount - $requests)"
if ("$($redelivered.Status)" -ne 'AlreadyProcessed' -or $sandbox.RequestCount -ne $requests) { $failures++ }
'Later HR promotes her: the mover event opens a case, the run grants the new role and keeps the old through the overlap:'
$move = '{ "idempotencyKey": "wd-7002", "kind": "Mover", "personId": "E5001", "jobRole": "engineering-manager" }'
Invoke-IsmsHrEvent -Json $move | Invoke-IsmsLifecycle -Confirm:$false | Out-Default
$moved = Get-IsmsMove -PersonId E5001
$moved | Out-Default
"In Engineering Managers: $(InGroup 'Engineering Managers'); still in Source Code Readers until $($moved.RemoveOldAfter.ToString('yyyy-MM-dd HH:mm')) UTC (policies/movers.yaml): $(InGroup 'Source Code Readers')"
$due = @(Get-IsmsMove -Due)
"Moves due now: $($due.Count); Invoke-IsmsLifecycle removes the old access on the first run after the overlap."
if (-not (InGroup 'Engineering Managers') -or "$($moved.Status)" -ne 'OverlapRunning' -or $due.Count -ne 0) { $failures++ }
'She leaves; HR sends the leaver with yesterday''s end date, and the run finds her in the window and offboards her:'
$leave = '{ "idempotencyKey": "wd-7003", "kind": "Leaver", "personId": "E5001", "endDate": "' + [DateTime]::UtcNow.AddDays(-1).ToString('yyyy-MM-dd') + '" }'
$leaver = Invoke-IsmsHrEvent -Json $leave
"Leaver event: $($leaver.Status)"
$left = $leaver | Invoke-IsmsLifecycle -Confirm:$false
$left | Out-Default
"Account enabled: $($rosalind.AccountEnabled); in Engineering Managers: $(InGroup 'Engineering Managers'); register status: $($left.PersonStatus)"
if ($rosalind.AccountEnabled -or (InGroup 'Engineering Managers') -or "$($left.PersonStatus)" -ne 'Left') { $failures++ }
'Each step of all three is in the audit trail:'
Get-IsmsAuditEvent -Action Lifecycle.Finished | Out-Default

Step '21. An access review: a campaign over privileged roles and the Engineering group, frozen from the snapshot, decided, completed'
$fallback = @($sandbox.Tenant.Users | Where-Object { $_.AccountEnabled -and $_.UserType -eq 'Member' -and $_.Mail })[0].UserPrincipalName
$review = New-IsmsAccessReview -Name 'Demo quarterly review' -PrivilegedDirectoryRole -GroupName 'Engineering' -Reviewer Manager `
    -FallbackReviewer $fallback -Recurrence P3M -SnapshotPath $snapshotFile
$review | Out-Default
$items = @(Get-IsmsAccessReviewItem $review.CampaignId)
$counts = @{}
$items | ForEach-Object { $counts["$($_.Recommendation)"] = 1 + [int]$counts["$($_.Recommendation)"] }
"$($items.Count) items frozen; recommendations: $(($counts.Keys | ForEach-Object { "$_ $($counts[$_])" }) -join ', ')"
$deny = @($items | Where-Object { "$($_.Recommendation)" -eq 'Deny' })[0]
if ($deny) {
    $reviewer = $deny.ReviewerIds[0]
    "A reviewer ($($sandbox.Tenant.FindUser($reviewer).UserPrincipalName)) takes the recommendation on one item: $($deny.PrincipalName) in $($deny.ResourceDisplayName) ($($deny.RecommendationNote))"
    $deny | Set-IsmsAccessReviewDecision -Decision Deny -Reviewer $reviewer | Out-Null
}
$privileged = @($items | Where-Object { $_.Privileged -and $_.IsPending -and $_ -ne $deny })[0]
try {
    $privileged | Set-IsmsAccessReviewDecision -Decision Approve -Reviewer $privileged.ReviewerIds[0]
    'Privileged access was approved without a justification!'
    $failures++
} catch {
    "Refused: $($_.FullyQualifiedErrorId.Split(',')[0]): $($_.Exception.Message)"
}
Get-IsmsAccessReview $review.CampaignId | Out-Default
if ($items.Count -eq 0 -or -not $deny -or -not $privileged) { $failures++ }
'Reviewers who work in a spreadsheet get the campaign as CSV, or as XLSX with a sheet each; read-only columns are locked:'
$reviewCsv = [System.IO.Path]::Combine($evidence, 'review.csv')
Export-IsmsAccessReview $review.CampaignId -Path $reviewCsv | Out-Null
Export-IsmsAccessReview $review.CampaignId -Path ([System.IO.Path]::Combine($evidence, 'review.xlsx')) | Out-Null
"  review.csv: $([System.IO.File]::ReadAllLines($reviewCsv).Count - 1) rows; review.xlsx: one worksheet per reviewer"
'A returned copy in which someone changed whose access a row is about is refused on that row; nothing else changes:'
$edited = [System.IO.Path]::Combine($evidence, 'review-returned.csv')
$victim = $items[-1].PrincipalName
[System.IO.File]::WriteAllText($edited, [regex]::new([regex]::Escape($victim)).Replace([System.IO.File]::ReadAllText($reviewCsv), 'someone.else@contoso.example', 1))
$imported = @(Import-IsmsAccessReviewDecision $review.CampaignId -Path $edited -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable importErrors)
$importErrors | ForEach-Object { "  $($_.FullyQualifiedErrorId.Split(',')[0]): $($_.Exception.Message)" }
if ($importErrors.Count -ne 1) { $failures++ }
'Completing the campaign (forced, as the due date is two weeks away): the Deny is removed in the directory, everything else kept:'
function RoleHeld($item) { @($sandbox.Tenant.RoleAssignments | Where-Object { $_.Principal.Id -eq $item.PrincipalId -and $_.Role.Id -eq $item.ResourceId }).Count }
$heldBefore = RoleHeld $deny
$completed = Complete-IsmsAccessReview $review.CampaignId -Force -Confirm:$false
$completed | Out-Default
$completed.Results | ForEach-Object { "  item $($_.ItemId): $($_.Outcome)" + $(if ($_.Reason) { " ($($_.Reason))" }) }
$stillHolds = RoleHeld $deny
"$($deny.PrincipalName) held $($deny.ResourceDisplayName) before: $($heldBefore -gt 0); after: $($stillHolds -gt 0)"
Export-IsmsAccessReviewEvidence $review.CampaignId -Path $evidence | Out-Null
"The campaign's evidence for the auditor: $($review.CampaignId)-evidence.csv and .html in $evidence"
if ($completed.Denied -ne 1 -or $heldBefore -eq 0 -or $stillHolds -gt 0 -or "$($completed.Results[0].Outcome)" -ne 'AppliedSuccessfully') { $failures++ }

Step '22. Unattended: at the due date the scheduled job (Invoke-IsmsAccessReviewCycle) completes an auto-apply campaign over guests'
$guest = @($sandbox.Tenant.Users | Where-Object { $_.UserType -eq 'Guest' -and $_.AccountEnabled })[0]
$guestsDue = [DateTime]::UtcNow.AddSeconds(4)
$guestReview = New-IsmsAccessReview -Name 'Demo guests' -Guest -Reviewer $fallback -DefaultDecision None -AutoApply -DueDate $guestsDue `
    -SnapshotPath $snapshotFile -WarningAction SilentlyContinue
Get-IsmsAccessReviewItem $guestReview.CampaignId | Where-Object PrincipalId -eq $guest.Id | Set-IsmsAccessReviewDecision -Decision Deny -Reviewer $fallback | Out-Null
"$($guestReview.ItemCount) guest accounts to review, due in seconds; the reviewer denies $($guest.UserPrincipalName), nobody decides the rest (default None: kept)."
[System.Threading.Thread]::Sleep([Math]::Max(0, [int]($guestsDue - [DateTime]::UtcNow).TotalMilliseconds + 250))
'The job runs after the due date (examples/access-reviews/quarterly-review.ps1): first what it would do, then what it did:'
Invoke-IsmsAccessReviewCycle -WhatIf | Out-Null
$cycle = @(Invoke-IsmsAccessReviewCycle -EvidencePath $evidence -Confirm:$false)
$cycle | Out-Default
"Guest account enabled: $($guest.AccountEnabled) (disabled, not deleted); campaign: $((Get-IsmsAccessReview $guestReview.CampaignId).Campaign.Status); evidence: $($guestReview.CampaignId)-evidence.html"
$again = @(Invoke-IsmsAccessReviewCycle -Confirm:$false)
"The job runs again: $($again.Count) step(s) to do."
if ($guest.AccountEnabled -or $cycle.Count -ne 1 -or "$($cycle[0].Outcome)" -ne 'Done' -or $again.Count -ne 0) { $failures++ }

# The directory as the demo leaves it (leavers offboarded, the guest disabled), for the compliance report in step 24.
$closingSnapshot = [System.IO.Path]::Combine($evidence, 'directory-closing.json.gz')
Export-IsmsDirectorySnapshot -Path $closingSnapshot | Out-Null
Disconnect-IsmsGraph
Stop-IsmsSandbox

Step '23. Sensitive personal data: encrypted under a key of each person''s own, shown only on an audited read, crypto-shredded after the retention period'
New-IsmsPerson -PersonId E2901 -DisplayName 'Joan Clarke' -Status Left -StartDate 2019-03-01 -EndDate 2024-06-30 `
    -PersonalEmail joan@example.net -PersonalPhone '+44 20 7946 0123' -HomeAddress '7 Hut Lane, Bletchley' | Out-Null
Set-IsmsPerson -PersonId E3001 -Status Left -PersonalEmail 'e3001@example.net' | Out-Null
'By default the contact details are not shown:'
Get-IsmsPerson E2901 | Out-Default
'With -IncludeSensitive they are, and the read is audited (person id and field names, never the values):'
Get-IsmsPerson E2901 -IncludeSensitive | Out-Default
Get-IsmsAuditEvent -Target person:E2901 -Action PersonalData.Read | Out-Default
"The retention period ($([System.IO.Path]::Combine((Get-Module IsmsOps).ModuleBase, 'policies', 'offboarding.yaml'))) has not passed for E3001, who left today:"
try {
    Remove-IsmsPersonalData -PersonId E3001 -Confirm:$false
    'E3001''s data was removed before the retention period ended!'
    $failures++
} catch {
    "Refused: $($_.FullyQualifiedErrorId.Split(',')[0]): $($_.Exception.Message)"
}
Remove-IsmsPersonalData -PersonId E2901 -WhatIf
$removed = Remove-IsmsPersonalData -PersonId E2901 -Confirm:$false
$removed | Out-Default
$after = Get-IsmsPerson E2901 -IncludeSensitive
"After removal: PersonalEmail '$($after.PersonalEmail)', removed at $($after.PersonalDataRemovedAt.ToString('yyyy-MM-dd HH:mm')) UTC"
if ($after.PersonalEmail -or -not $after.PersonalDataRemovedAt) { $failures++ }
Get-IsmsAuditEvent -Target person:E2901 -Action Person.PersonalDataRemoved | Out-Default
$trail = Test-IsmsAuditTrail
"The trail keeps its facts and still verifies: $($trail.IsValid)"
if (-not $trail.IsValid) { $failures++ }

Step '24. The compliance report: the shipped controls (policies/controls) evaluated offline over the closing snapshot and the register'
$assessment = @(Invoke-IsmsAssessment -SnapshotPath $closingSnapshot)
$byOutcome = @{}
$assessment | ForEach-Object { $byOutcome["$($_.Outcome)"] = 1 + [int]$byOutcome["$($_.Outcome)"] }
"$($assessment.Count) controls evaluated: $((@('Pass', 'Fail', 'Waived', 'NotApplicable', 'Error', 'Skipped') | Where-Object { $byOutcome[$_] } | ForEach-Object { "$_ $($byOutcome[$_])" }) -join ', ')"
$failing = @($assessment | Where-Object { "$($_.Outcome)" -eq 'Fail' })
"Failing controls: $(($failing | ForEach-Object { "$($_.Control.Id) ($($_.FailCount))" }) -join ', ')"
$reports = [System.IO.Path]::Combine($DataPath, 'reports')
$written = @($assessment | Export-IsmsAssessmentReport -Format Html, Json, Oscal, Sarif, JUnit -Path $reports)
$written += @($assessment | Export-IsmsStatementOfApplicability -Path $reports -Format Html, Csv | ForEach-Object { [pscustomobject]@{ Path = $_.FullName; Length = $_.Length } })
'The report for the auditor, a CI pipeline and code scanning, and the statement of applicability:'
$written | ForEach-Object { "  $($_.Path) ($($_.Length) bytes)" }
$html = [System.IO.Path]::Combine($reports, 'assessment.html')
if ($assessment.Count -lt 40 -or $failing.Count -eq 0 -or $written.Count -ne 7 -or -not [System.IO.File]::Exists($html) -or
    -not [System.IO.File]::ReadAllText($html).Contains($failing[0].Control.Id)) { $failures++ }

''
if ($failures -eq 0) {
    "Demo complete. The store, signing key and evidence are in $DataPath"
    exit 0
}
"Demo FAILED: $failures check(s) did not hold."
exit 1
