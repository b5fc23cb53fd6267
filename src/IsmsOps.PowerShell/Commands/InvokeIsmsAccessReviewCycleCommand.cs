using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Runs access reviews unattended: completes auto-apply campaigns past due, reports overdue ones and starts the next period of recurring campaigns.</summary>
/// <remarks>
/// Meant for a scheduled job; every decision is read from the store, so a missed, repeated or interrupted run loses
/// and repeats nothing. In one run, in this order:
/// an Active campaign with -AutoApply whose due date has passed is completed as Complete-IsmsAccessReview completes it
/// (the default decision applied, denied access removed through Graph, denied guests' accounts disabled, each item's
/// result stored), and its evidence (CSV and HTML) is written to -EvidencePath when given;
/// an Active campaign past its due date without -AutoApply is reported with its overdue reviewers (a warning and an
/// AccessReview.OverdueReported audit event) and never completed;
/// a completed auto-apply campaign whose evidence is missing from -EvidencePath gets it written;
/// a recurring campaign whose next start has come and that has no successor gets one: the same scope, reviewers,
/// fallback reviewers, default decision, auto-apply, inactivity window and recurrence, starting on the series'
/// schedule (the first campaign's start plus whole periods, however late the job runs) and due the first campaign's
/// start-to-due length after it is created, named after the period it starts in ('Privileged access 2027-Q1'), and
/// linked to its predecessor. Its items are
/// frozen from -SnapshotPath, else the imported snapshot, else Graph live, as New-IsmsAccessReview reads them; a
/// directory no newer than the predecessor's is refused (IsmsOps.AccessReview.StaleSnapshot). A campaign has at most
/// one successor, and a missed period creates one successor, not a backlog. An auto-apply campaign with a Deny or
/// Recommendation default needed -Force when it was created; its successors inherit that acknowledgement.
/// One AccessReviewCycleResult is written per step (Action, Outcome Done, Skipped or Failed, and a Message); a step
/// that fails is also written as a non-terminating error after all results, and the other steps go on. -WhatIf lists
/// the steps (Outcome Planned) and changes nothing. The audit trail gets each step's own events and one
/// AccessReview.CycleRun event with the counts.
/// Graph permissions: those listed for Invoke-IsmsAccessReviewCycle in docs/graph-permissions.md.
/// </remarks>
/// <example>
/// <code>Invoke-IsmsAccessReviewCycle -EvidencePath /var/lib/isms/evidence -WhatIf</code>
/// <para>Lists what a run would complete, report and start now, and changes nothing.</para>
/// </example>
/// <example>
/// <code>Invoke-IsmsAccessReviewCycle -EvidencePath ./evidence -Confirm:$false | Where-Object Outcome -eq Failed</code>
/// <para>Runs the cycle and shows the steps that failed (the next run tries them again).</para>
/// </example>
[Cmdlet(VerbsLifecycle.Invoke, "IsmsAccessReviewCycle", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(AccessReviewCycleResult))]
public sealed class InvokeIsmsAccessReviewCycleCommand : IsmsCmdlet
{
    /// <summary>The folder that receives each completed campaign's evidence (AR-…-evidence.csv and .html); created when missing.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? EvidencePath { get; set; }

    /// <summary>A snapshot file to freeze successor campaigns' items from, instead of the imported snapshot or Graph live.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SnapshotPath { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        StopOnError(() =>
        {
            string? evidence = EvidencePath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(EvidencePath);
            IReadOnlyList<AccessReviewCycleResult> plan = Run((w, ct) => w.AccessReviewScheduler.PlanAsync(evidence, ct));
            bool whatIf = WhatIfRequested;
            var approved = plan.Where(step => ShouldProcess(step.Message, step.Message + ". Continue?", $"{step.Action} access review {step.CampaignId}")).ToList();
            if (whatIf)
            {
                WriteObject(plan, enumerateCollection: true);
                return;
            }

            AccessReviewCycleOptions options = Options(approved, evidence);
            OperationContext operation = Operation;
            IReadOnlyList<AccessReviewCycleResult> results = Run((w, ct) => w.AccessReviewScheduler.RunAsync(approved, options, operation, ct));
            foreach (AccessReviewCycleResult result in results)
            {
                if (result.Action == AccessReviewCycleAction.ReportOverdue && result.Outcome == AccessReviewCycleOutcome.Done)
                {
                    WriteWarning(result.Message);
                }

                WriteObject(result);
            }

            // After every result, so a caller stopping on the first error still has them all.
            foreach (AccessReviewCycleResult failed in results.Where(r => r.Error is not null))
            {
                WriteIsmsError(failed.Error!);
            }
        });
    }

    // The directory and role catalog are read on the pipeline thread (they belong to this session), and only when a
    // successor is to be created; a failure to read them fails the successors alone, not the completions.
    private AccessReviewCycleOptions Options(IReadOnlyList<AccessReviewCycleResult> approved, string? evidence)
    {
        Func<CancellationToken, Task<(DirectoryIndex, string?)>>? read = null;
        Func<RoleCatalog>? catalog = null;
        if (approved.Any(s => s.Action == AccessReviewCycleAction.CreateSuccessor))
        {
            try
            {
                IDirectorySource source = ResolveDirectory(SnapshotPath);
                read = ct => AccessReviewRegister.ReadTenantAsync(source, null, ct);
            }
            catch (IsmsException unavailable)
            {
                read = _ => throw unavailable;
            }

            try
            {
                RoleCatalog loaded = ModuleSession.LoadRoleCatalog();
                catalog = () => loaded;
            }
            catch (IsmsException unavailable)
            {
                catalog = () => throw unavailable;
            }
        }

        return new AccessReviewCycleOptions
        {
            Connection = ModuleSession.GraphConnection, ReadDirectory = read, Catalog = catalog, GroupTags = ModuleSession.LoadGroupTags,
            EvidenceFolder = evidence,
        };
    }
}
