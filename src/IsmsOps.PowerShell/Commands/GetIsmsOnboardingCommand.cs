using System.Management.Automation;
using IsmsOps.Engine.Onboarding;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Gets onboarding cases: each joiner's status, steps, and what blocks them.</summary>
/// <remarks>
/// Returns the onboarding cases of the people given (all cases without -PersonId), newest first. Each case shows its
/// status (Open, Blocked, Failed, Completed), the steps still pending and, for a Blocked case, why the screening gate
/// holds its access back (BlockedBecause). The steps are in the Steps property, each with its status, reason and
/// Graph request-id. -Blocked lists only the cases waiting for screening.
/// Graph permissions: none (this cmdlet reads only the IsmsOps store).
/// </remarks>
/// <example>
/// <code>Get-IsmsOnboarding -Blocked</code>
/// <para>Lists the joiners whose access waits for screening, and why.</para>
/// </example>
/// <example>
/// <code>(Get-IsmsOnboarding -PersonId E1004).Steps</code>
/// <para>Shows each step of E1004's onboarding with its status and Graph request-id.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "IsmsOnboarding")]
[OutputType(typeof(OnboardingCase))]
public sealed class GetIsmsOnboardingCommand : IsmsCmdlet
{
    /// <summary>Only the cases of these people.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PersonIdCompleter))]
    public string[]? PersonId { get; set; }

    /// <summary>Only cases waiting for screening to clear.</summary>
    [Parameter]
    public SwitchParameter Blocked { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            IReadOnlyList<OnboardingCaseStatus> statuses = Blocked ? [OnboardingCaseStatus.Blocked] : [];
            foreach (string? person in PersonId is { Length: > 0 } ids ? ids : new string?[] { null })
            {
                var query = new OnboardingCaseQuery { PersonId = person, Statuses = statuses };
                WriteObject(Run((w, ct) => w.Onboarding.FindAsync(query, ct)), enumerateCollection: true);
            }
        });
    }
}
