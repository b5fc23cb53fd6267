using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.Acknowledgements;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Gets acceptances of terms, NDA and policies, and security-training completions; or who is missing them.</summary>
/// <remarks>
/// Without switches, returns the whole history of acknowledgements matching -PersonId, -Kind and -Name, oldest first
/// per person and document: a newer version never hides the record of an older acceptance. Each shows its Status on
/// -AsOf (today by default): Current, Expired, NotYetMade, or NotCurrentVersion when policies/acknowledgements.yaml
/// has another version of that document in force (CurrentVersion names it).
/// -Current returns, per person and document or course, only the newest acknowledgement, and only if it still counts
/// on -AsOf: not expired, and of the version in force when the policy names one.
/// -ExpiringWithinDays N returns, per person and document or course, the newest acknowledgement when it lapses within
/// N days of -AsOf, or already has: the people to remind.
/// -Missing -Name X [-Version Y] answers the question a control or the onboarding gate asks: which people in the
/// register who have not left lack a current acknowledgement of X (of version Y when given, else of the version
/// policies/acknowledgements.yaml has in force, else of any version) on -AsOf. Each answer is a
/// gap with a Reason: Missing (never), OtherVersion (only another version), Expired, or Expiring (with
/// -ExpiringWithinDays, current now but lapsing within the window). -Kind may be left out when records of X exist.
/// A PersonId that is not registered is reported as IsmsOps.Person.NotFound.
/// Graph permissions: none (this cmdlet reads only the IsmsOps store).
/// </remarks>
/// <example>
/// <code>Get-IsmsAcknowledgement -PersonId E1001</code>
/// <para>Shows everything E1001 has accepted or completed, every version, oldest first.</para>
/// </example>
/// <example>
/// <code>Get-IsmsAcknowledgement -Kind SecurityTraining -Current</code>
/// <para>Shows each person's training that counts today.</para>
/// </example>
/// <example>
/// <code>Get-IsmsAcknowledgement -Missing -Kind NonDisclosureAgreement -Version 2.0</code>
/// <para>Lists the people who have not signed version 2.0 of the NDA.</para>
/// </example>
/// <example>
/// <code>Get-IsmsAcknowledgement -Missing -Name 'Security Awareness' -Version 2026 -ExpiringWithinDays 30</code>
/// <para>Lists the people without current training on the 2026 course, and those whose training lapses within 30 days.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "IsmsAcknowledgement", DefaultParameterSetName = HistorySet)]
[OutputType(typeof(Acknowledgement), ParameterSetName = [HistorySet])]
[OutputType(typeof(AcknowledgementGap), ParameterSetName = [MissingSet])]
public sealed class GetIsmsAcknowledgementCommand : IsmsCmdlet
{
    private const string HistorySet = "History";
    private const string MissingSet = "Missing";

    /// <summary>Only these people (PersonIds; exact, case-insensitive).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("EmployeeId")]
    [ArgumentCompleter(typeof(PersonIdCompleter))]
    public string[]? PersonId { get; set; }

    /// <summary>Only this kind: TermsAndConditions, NonDisclosureAgreement, Policy or SecurityTraining.</summary>
    [Parameter]
    public AcknowledgementKind? Kind { get; set; }

    /// <summary>Only this policy or course (exact, case-insensitive). Required with -Missing unless -Kind is TermsAndConditions or NonDisclosureAgreement.</summary>
    [Parameter]
    [Alias("Policy", "Course")]
    public string? Name { get; set; }

    /// <summary>Only the newest acknowledgement per person and document, and only if it still counts on -AsOf.</summary>
    [Parameter(ParameterSetName = HistorySet)]
    public SwitchParameter Current { get; set; }

    /// <summary>Lists the people who lack a current acknowledgement of -Name (and -Version), instead of acknowledgements.</summary>
    [Parameter(Mandatory = true, ParameterSetName = MissingSet)]
    public SwitchParameter Missing { get; set; }

    /// <summary>With -Missing: the version required; acceptance of any other version does not count. When left out, the version policies/acknowledgements.yaml has in force, or any version when it names none.</summary>
    [Parameter(ParameterSetName = MissingSet)]
    [Alias("DocumentVersion")]
    public string? Version { get; set; }

    /// <summary>Acknowledgements that lapse within this many days of -AsOf (or already have); with -Missing, also the people whose acknowledgement does.</summary>
    [Parameter]
    [ValidateRange(0, 3650)]
    public int? ExpiringWithinDays { get; set; }

    /// <summary>The day the questions are asked about; today (UTC) when left out.</summary>
    [Parameter]
    public DateTime? AsOf { get; set; }

    // The register for this run, with policies/acknowledgements.yaml read once for every person piped in.
    private AcknowledgementRegister? _acknowledgements;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            AcknowledgementRegister acknowledgements = _acknowledgements ??= Workspace.Acknowledgements.WithPolicyReadOnce();
            DateTime day = AsOf?.Date ?? acknowledgements.Today;
            List<string> ids = [];
            foreach (string id in PersonId ?? [])
            {
                try
                {
                    ids.Add(Run((w, ct) => w.People.GetAsync(id, ct)).PersonId);
                }
                catch (IsmsException ex) when (ex.ErrorId == "IsmsOps.Person.NotFound")
                {
                    WriteIsmsError(ex);
                }
            }

            if (PersonId is { Length: > 0 } && ids.Count == 0)
            {
                return;
            }

            if (Missing)
            {
                AcknowledgementKind kind = Kind ?? Run((w, ct) => KindOfAsync(w, ct));
                WriteObject(Run(ct => acknowledgements.FindGapsAsync(kind, Name, Version, day, ExpiringWithinDays ?? 0, ct, ids)), enumerateCollection: true);
                return;
            }

            foreach (AcknowledgementQuery query in Queries(ids))
            {
                IReadOnlyList<Acknowledgement> found = ExpiringWithinDays is int days
                    ? Run(ct => acknowledgements.FindExpiringAsync(query, day, days, ct))
                    : Current
                        ? Run(ct => acknowledgements.FindCurrentAsync(query, day, ct))
                        : Run(ct => acknowledgements.FindAsync(query, ct, day));
                WriteObject(found, enumerateCollection: true);
            }
        });
    }

    private IEnumerable<AcknowledgementQuery> Queries(List<string> ids)
    {
        string? name = string.IsNullOrWhiteSpace(Name) ? null : Name.Trim();
        if (ids.Count == 0)
        {
            yield return new AcknowledgementQuery { Kind = Kind, Name = name };
            yield break;
        }

        foreach (string id in ids)
        {
            yield return new AcknowledgementQuery { PersonId = id, Kind = Kind, Name = name };
        }
    }

    // -Missing -Name 'Acceptable Use Policy' should not need -Policy too: the kind follows from the records of that name.
    private async Task<AcknowledgementKind> KindOfAsync(IsmsWorkspace workspace, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new IsmsException("IsmsOps.Acknowledgement.MissingNeedsName", IsmsErrorKind.InvalidArgument,
                "-Missing needs to know which document or course to check.", "Give -Name (a policy or course) or -Kind (TermsAndConditions, NonDisclosureAgreement).");
        }

        List<AcknowledgementKind> kinds = (await workspace.Acknowledgements.FindAsync(new AcknowledgementQuery { Name = Name.Trim() }, cancellationToken).ConfigureAwait(false))
            .Select(a => a.Kind).Distinct().ToList();
        return kinds.Count == 1
            ? kinds[0]
            : throw new IsmsException("IsmsOps.Acknowledgement.KindNeeded", IsmsErrorKind.InvalidArgument,
                kinds.Count == 0
                    ? $"No acknowledgement of '{Name}' is recorded, so its kind is not known."
                    : $"'{Name}' is recorded as more than one kind ({string.Join(", ", kinds)}).",
                "Give -Kind as well, for example -Kind Policy or -Kind SecurityTraining.", Name);
    }
}
