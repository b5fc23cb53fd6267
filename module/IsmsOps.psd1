@{
    RootModule             = 'bin/IsmsOps.PowerShell.dll'
    # Imported first: its initializer routes the engine and its dependencies to a private load context.
    NestedModules          = @('bin/IsmsOps.Loader.dll')
    ModuleVersion          = '0.1.0'
    CompatiblePSEditions   = @('Core')
    GUID                   = '6c1f7a8e-2b4d-4f0e-9a31-5d2c8e7b4a10'
    Author                 = 'IsmsOps contributors'
    CompanyName            = 'IsmsOps'
    Copyright              = '(c) IsmsOps contributors. MIT licence.'
    Description            = 'Runs the people-and-access operations of an ISO/IEC 27001 information security management system for organisations whose identities live in Microsoft Entra ID: the people register, a tamper-evident audit trail, Microsoft Graph directory snapshots and access inventories, and (in later releases) joiners, leavers, access reviews and policy-as-code.'
    PowerShellVersion      = '7.4'
    FormatsToProcess       = @('IsmsOps.Format.ps1xml')
    TypesToProcess         = @('IsmsOps.Types.ps1xml')
    CmdletsToExport        = @(
        'New-IsmsPerson'
        'Get-IsmsPerson'
        'Set-IsmsPerson'
        'Set-IsmsAcknowledgement'
        'Get-IsmsAcknowledgement'
        'New-IsmsScreening'
        'Get-IsmsScreening'
        'Set-IsmsScreening'
        'Approve-IsmsScreeningWaiver'
        'Get-IsmsAuditEvent'
        'Test-IsmsAuditTrail'
        'Export-IsmsAuditTrail'
        'Connect-IsmsGraph'
        'Get-IsmsGraphConnection'
        'Disconnect-IsmsGraph'
        'Connect-IsmsStore'
        'Get-IsmsStore'
        'Copy-IsmsStore'
        'Start-IsmsSandbox'
        'Stop-IsmsSandbox'
        'Export-IsmsDirectorySnapshot'
        'Import-IsmsDirectorySnapshot'
        'Get-IsmsAccess'
        'Get-IsmsOrphanedAccount'
        'Invoke-IsmsHrEvent'
        'Invoke-IsmsLifecycle'
        'Import-IsmsHrFeed'
        'Start-IsmsOffboarding'
        'Resume-IsmsOffboarding'
        'Get-IsmsOffboarding'
        'Complete-IsmsOffboardingTask'
        'Remove-IsmsPersonalData'
        'Update-IsmsMasterKey'
        'Export-IsmsOffboardingEvidence'
        'Test-IsmsOffboardingEvidence'
        'Start-IsmsOnboarding'
        'Get-IsmsOnboarding'
        'Get-IsmsMove'
        'Start-IsmsMove'
        'Get-IsmsRole'
        'Test-IsmsRoleCatalog'
        'New-IsmsAccessReview'
        'Get-IsmsAccessReview'
        'Get-IsmsAccessReviewItem'
        'Set-IsmsAccessReviewDecision'
        'Export-IsmsAccessReview'
        'Import-IsmsAccessReviewDecision'
        'Complete-IsmsAccessReview'
        'Export-IsmsAccessReviewEvidence'
        'Set-IsmsAccessReview'
        'Invoke-IsmsAccessReviewCycle'
        'Export-IsmsAssessmentReport'
        'Import-IsmsAssessment'
        'Compare-IsmsAssessment'
        'Export-IsmsStatementOfApplicability'
        'Invoke-IsmsAssessment'
        'Test-IsmsControl'
        'New-IsmsWaiver'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('ISMS', 'ISO27001', 'ISO27002', 'ISO27017', 'EntraID', 'AccessReview', 'Audit', 'Compliance')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = 'Foundation: people register, tamper-evident audit trail, embedded SQLite store. Directory: Microsoft Graph connection (five sign-in modes), a local Graph sandbox, verifiable directory snapshots, per-person access inventories.'
        }
    }
}
