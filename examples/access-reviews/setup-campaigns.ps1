<#
.SYNOPSIS
    First-time set-up: the two recurring campaigns the scheduled job (quarterly-review.ps1) then runs by itself.

.DESCRIPTION
    Run once, interactively, connected to Graph (Connect-IsmsGraph) or with -SnapshotPath. Each campaign starts now and
    is due in 14 days; from then on the job completes each period at its due date and starts the next one when the
    recurrence comes round, with the same scope, reviewers and settings.

    - Privileged access, quarterly (P3M): directory roles, active and PIM-eligible, and everything the role catalog
      marks privileged. Reviewed by managers; items nobody decides stay as they are (DefaultDecision None), and
      auto-apply removes what reviewers denied at the due date.
    - Application and guest access, half-yearly (P6M): app role assignments and guest accounts. A denied guest is
      disabled at completion, not deleted.

    To remove undecided access too, use -DefaultDecision Deny or Recommendation with -AutoApply; that needs -Force,
    because reviewers who do not respond then cost everyone their access, administrators and break-glass accounts
    included. The acknowledgement is given once, here: every later period of the series inherits it.
#>
[CmdletBinding()]
param(
    # Who reviews what the manager rule leaves without a reviewer (no manager, a manager outside the tenant). Give two:
    # a fallback who holds privileged access cannot review their own.
    [Parameter(Mandatory)] [string[]] $FallbackReviewer,

    # A whole-tenant snapshot to freeze the first periods from; Graph live when left out.
    [string] $SnapshotPath
)

$ErrorActionPreference = 'Stop'
$common = @{ Reviewer = 'Manager'; FallbackReviewer = $FallbackReviewer; AutoApply = $true; DefaultDecision = 'None' }
if ($SnapshotPath) { $common.SnapshotPath = $SnapshotPath }

New-IsmsAccessReview -Name 'Privileged access' -PrivilegedDirectoryRole -CatalogPrivileged -Recurrence P3M @common
New-IsmsAccessReview -Name 'Application and guest access' -AppRoleAssignment -Guest -Recurrence P6M @common
