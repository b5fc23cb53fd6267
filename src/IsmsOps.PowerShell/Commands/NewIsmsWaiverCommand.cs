using System.Management.Automation;
using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Policies;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Writes a waiver: a time-limited acceptance of a control's failures, as a YAML file in the waivers folder.</summary>
/// <remarks>
/// The waiver names the control, the resources it covers (-ResourceId, or a -Selector condition; neither covers every
/// resource of the control), a category (AcceptedRisk or CompensatingControl), the justification, the approver and
/// -ExpiresOn, which is required and must be in the future: from that moment the waiver is no longer honoured by any
/// run, and the original Fail shows again. A date without a time means midnight UTC. The file is
/// &lt;id&gt;.yaml in the waivers folder of the policy folder ($env:ISMSOPS_POLICIES, else -PolicyPath), or in -Path; the
/// id is generated (WVR-yyyyMMdd-xxxxxx) unless -Id gives one, and an id already used there is refused. Before anything
/// is written the waiver is read back by the same reader Invoke-IsmsAssessment uses and its selector compiled against
/// the control, so an invalid waiver is refused with the reason; the file appears whole or not at all. Writing into the
/// policies folder of the installed module is refused: a module update would replace it and lose the waiver. The
/// creation is audited as Waiver.Created with the waiver and control ids, the category and the expiry (the approver
/// and justification stay in the file).
/// Graph permissions: none (this cmdlet writes a file and the IsmsOps audit trail).
/// </remarks>
/// <example>
/// <code>New-IsmsWaiver -Control ISMS-ACC-002 -ResourceId svc-scanner@contoso.com -Category CompensatingControl -Justification 'Signs in quarterly; the SOC alerts on any other use' -Approver ciso@contoso.com -ExpiresOn 2027-02-01</code>
/// <para>Accepts the inactivity of one scanner account until 1 February 2027.</para>
/// </example>
/// <example>
/// <code>New-IsmsWaiver -Control ISMS-GST-002 -Selector '{ field: mail, like: "*@partner.example" }' -Category AcceptedRisk -Justification 'Partner signs in through its own portal' -Approver ciso@contoso.com -ExpiresOn 2027-01-01 -Path ./policies/waivers</code>
/// <para>Waives the guest inactivity control for a partner's guests, into a waivers folder of your own.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "IsmsWaiver", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "ByResource")]
[OutputType(typeof(WaiverFile))]
public sealed class NewIsmsWaiverCommand : IsmsCmdlet
{
    /// <summary>The id of the control whose failures the waiver accepts, such as ISMS-ACC-002.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("ControlId")]
    [ValidateNotNullOrEmpty]
    public string Control { get; set; } = string.Empty;

    /// <summary>Ids or names of the resources covered (account object ids or sign-in names, person ids, ...). Leave out, with no -Selector, to cover every resource of the control.</summary>
    [Parameter(ParameterSetName = "ByResource")]
    [ValidateNotNullOrEmpty]
    public string[] ResourceId { get; set; } = [];

    /// <summary>A condition of the policy language, as YAML or JSON text, picking the resources covered; for example '{ field: userPrincipalName, like: "svc-*" }'.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "BySelector")]
    [ValidateNotNullOrEmpty]
    public string Selector { get; set; } = string.Empty;

    /// <summary>AcceptedRisk (the risk is accepted as it is) or CompensatingControl (another measure covers it).</summary>
    [Parameter(Mandatory = true)]
    [ValidateSet("AcceptedRisk", "CompensatingControl")]
    public string Category { get; set; } = string.Empty;

    /// <summary>Why the failure is accepted, or what compensates for it.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Justification { get; set; } = string.Empty;

    /// <summary>Who approved the waiver (their sign-in name).</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Approver { get; set; } = string.Empty;

    /// <summary>When the waiver stops being honoured; required, and in the future. A date without a time means midnight UTC.</summary>
    [Parameter(Mandatory = true)]
    public DateTime ExpiresOn { get; set; }

    /// <summary>The waiver's id, which also names its file; generated (WVR-yyyyMMdd-xxxxxx) when left out.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    /// <summary>The waivers folder to write into (created if missing). Default: the waivers folder of the policy folder.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>The policy folder whose controls the waiver is checked against, and whose waivers folder is the default. Default: $env:ISMSOPS_POLICIES, else the policies shipped with the module.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PolicyPath { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        StopOnError(() =>
        {
            PolicyFolder policies = PolicyPath is not null
                ? new PolicyFolder(SessionState.Path.GetUnresolvedProviderPathFromPSPath(PolicyPath), "-PolicyPath")
                : PolicyFolder.Resolve(ModuleSession.ShippedPolicyFolder);
            string moduleFolder = System.IO.Path.GetDirectoryName(ModuleSession.ShippedPolicyFolder)!;
            string folder = WaiverWriter.ResolveFolder(Path is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path), policies, moduleFolder);
            string? controlsFolder = policies.Path is string p ? System.IO.Path.Combine(p, "controls") : null;
            ControlSet controls = ControlReader.Load(controlsFolder is not null && Directory.Exists(controlsFolder) ? [controlsFolder] : [], policies.Path);
            var request = new WaiverRequest
            {
                Id = Id,
                ControlId = Control,
                Resources = ResourceId,
                Selector = ParameterSetName == "BySelector" ? Selector : null,
                Category = Enum.Parse<WaiverCategory>(Category),
                Justification = Justification,
                Approver = Approver,
                ExpiresOn = ExpiresOn.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(ExpiresOn, TimeSpan.Zero) : new DateTimeOffset(ExpiresOn.ToUniversalTime(), TimeSpan.Zero),
            };

            // Checked before asking, so -WhatIf and -Confirm never offer a waiver that would be refused.
            PreparedWaiver prepared = WaiverWriter.Prepare(request, folder, controls, DateTimeOffset.UtcNow);
            if (ShouldProcess(prepared.FilePath, $"Write waiver {prepared.Definition.Id} of {prepared.Definition.ControlId} ({request.Category}) until {request.ExpiresOn:yyyy-MM-dd}"))
            {
                WriteObject(Run((w, ct) => WaiverWriter.WriteAsync(prepared, w.Audit, Operation, ct)));
            }
        });
    }
}
