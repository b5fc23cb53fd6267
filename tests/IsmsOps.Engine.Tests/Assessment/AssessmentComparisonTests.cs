using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Assessment.Reports;

namespace IsmsOps.Engine.Tests.Assessment;

public sealed class AssessmentComparisonTests
{
    private static readonly AssessmentRunInfo Before = AssessmentRunFixture.Run("6f9619ff-8b86-4011-b42d-00c04fc964ff", AssessmentRunFixture.EvaluatedAt.AddDays(-7));

    private static ControlResult Result(AssessmentRunInfo run, string id, ControlSeverity severity, params (string Id, AssessmentOutcome Outcome)[] findings) => new()
    {
        Run = run,
        Control = AssessmentRunFixture.Control(id, $"Title of {id}", severity, "account", "iso27001:2022 A.8.2"),
        Outcome = findings.Any(f => f.Outcome == AssessmentOutcome.Fail) ? AssessmentOutcome.Fail : AssessmentOutcome.Pass,
        Findings = findings.Select(f => AssessmentRunFixture.Finding(id, "account", f.Id, f.Outcome)).ToList(),
    };

    [Fact]
    public void Drift_per_resource_names_new_failures_fixed_still_failing_and_controls_added_or_removed()
    {
        AssessmentRunInfo now = AssessmentRunFixture.Run();
        ControlResult[] reference =
        [
            Result(Before, "C-1", ControlSeverity.High, ("a", AssessmentOutcome.Fail), ("b", AssessmentOutcome.Pass), ("c", AssessmentOutcome.Fail), ("gone", AssessmentOutcome.Fail), ("w", AssessmentOutcome.Fail)),
            Result(Before, "C-OLD", ControlSeverity.Low, ("a", AssessmentOutcome.Pass)),
        ];
        ControlResult[] difference =
        [
            // 'A' is 'a' with its id in another case: the same directory object.
            Result(now, "C-1", ControlSeverity.High, ("A", AssessmentOutcome.Fail), ("b", AssessmentOutcome.Fail), ("c", AssessmentOutcome.Pass), ("new", AssessmentOutcome.Fail), ("w", AssessmentOutcome.Waived)),
            Result(now, "C-NEW", ControlSeverity.Medium, ("x", AssessmentOutcome.Fail), ("y", AssessmentOutcome.Pass)),
        ];

        IReadOnlyList<AssessmentDrift> drift = AssessmentComparison.Compare(reference, difference);

        string[] expected =
        [
            "C-1 NewFailure b Pass->Fail", "C-1 NewFailure new ->Fail", "C-1 Fixed c Fail->Pass", "C-1 Fixed gone Fail->", "C-1 Fixed w Fail->Waived",
            "C-1 StillFailing A Fail->Fail", "C-NEW NewFailure x ->Fail", "C-NEW NewControl  ->Fail", "C-OLD RemovedControl  Pass->",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal),
            drift.Select(d => $"{d.ControlId} {d.Kind} {d.ResourceId} {d.ReferenceOutcome}->{d.DifferenceOutcome}").Order(StringComparer.Ordinal));
        Assert.Equal(["C-1", "C-1", "C-1", "C-1", "C-1", "C-1", "C-NEW", "C-NEW", "C-OLD"], drift.Select(d => d.ControlId));
    }

    [Fact]
    public void A_control_that_could_not_run_now_does_not_count_its_earlier_failures_as_fixed()
    {
        ControlResult reference = Result(Before, "C-1", ControlSeverity.High, ("a", AssessmentOutcome.Fail));
        ControlResult difference = new()
        {
            Run = AssessmentRunFixture.Run(),
            Control = reference.Control,
            Outcome = AssessmentOutcome.Skipped,
            SkipReason = AssessmentSkipReason.NotConnected,
        };

        Assert.Empty(AssessmentComparison.Compare([reference], [difference]));
    }
}
