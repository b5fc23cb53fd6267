using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Gets one person's access inventory: every group, role, app role, consent, licence and device they hold.</summary>
/// <remarks>
/// Returns one AccessGrant per piece of access: the resource and its kind (GroupMembership, GroupOwnership,
/// DirectoryRole, AppRole, DelegatedGrant, License, Device); whether it is held Direct, Inherited (through a group,
/// named in InheritedFromGroupName, with the chain of nested groups in InheritancePath) or Eligible (a PIM role not yet
/// activated); since when (where Graph records it: role schedules and app role assignments; Graph does not date group
/// memberships) and until when; and who can remove it: Graph, ViaGroup (goes with the membership that carries it),
/// DynamicRule, OnPremisesDirectory or ExchangeOnline, with a RemovalNote that says how.
/// Admin consents given for all users (AllPrincipals) are not listed: they belong to the tenant and stay when a person
/// leaves. Registered authentication methods are credentials, not access, and are not listed either.
/// The directory is read from -SnapshotPath when given, else from the snapshot Import-IsmsDirectorySnapshot made
/// current, else from Microsoft Graph live through the Connect-IsmsGraph connection (about a dozen requests per
/// person); with none of these the command fails with IsmsOps.Graph.NotConnected. Each grant read from a snapshot
/// carries its SHA-256 (SnapshotSha256) for evidence.
/// A person from the register is found in the directory by DirectoryObjectId, else by UserPrincipalName. A user the
/// directory does not hold is reported as IsmsOps.Access.UserNotFound, naming the snapshot; the pipeline goes on.
/// Graph permissions: none when reading a snapshot; live, the read permissions listed for Get-IsmsAccess in
/// docs/graph-permissions.md.
/// </remarks>
/// <example>
/// <code>Get-IsmsAccess -UserId ada@contoso.com -SnapshotPath ./evidence/contoso.json.gz</code>
/// <para>Lists Ada's access as the snapshot recorded it.</para>
/// </example>
/// <example>
/// <code>Import-IsmsDirectorySnapshot ./evidence/contoso.json.gz | Out-Null; Get-IsmsPerson -Status Leaving | Get-IsmsAccess</code>
/// <para>Lists the access of everyone who is leaving, from the imported snapshot.</para>
/// </example>
/// <example>
/// <code>Get-IsmsAccess -PersonId E1001 | Where-Object Removal -ne 'Graph'</code>
/// <para>Shows what offboarding cannot remove through Graph, and which system must.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "IsmsAccess", DefaultParameterSetName = PersonSet)]
[OutputType(typeof(AccessGrant))]
public sealed class GetIsmsAccessCommand : IsmsCmdlet
{
    private const string PersonSet = "PersonId";
    private const string UserSet = "UserId";

    private IDirectorySource? _source;

    /// <summary>The user's Entra ID object id or user principal name.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = UserSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("UserPrincipalName", "ObjectId")]
    [ValidateNotNullOrEmpty]
    public string UserId { get; set; } = string.Empty;

    /// <summary>The PersonId of a person in the register; their account is found by DirectoryObjectId, else UserPrincipalName.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PersonSet, ValueFromPipelineByPropertyName = true)]
    [Alias("EmployeeId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PersonIdCompleter))]
    public string PersonId { get; set; } = string.Empty;

    /// <summary>A snapshot file to read instead of the session's imported snapshot; it does not replace that one.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SnapshotPath { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        StopOnError(() =>
        {
            // Once for the whole pipeline: a missing or bad snapshot fails every item the same way.
            _source = ResolveDirectory(SnapshotPath);
        });
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        IDirectorySource source = _source!;
        ForEachItem(() =>
        {
            string key = ParameterSetName == PersonSet
                ? AccessInventory.DirectoryKeyOf(Run((w, ct) => w.People.GetAsync(PersonId, ct)))
                : UserId;
            DirectoryIndex index = Run(ct => source.GetForUserAsync(key, ct));
            WriteObject(AccessInventory.For(index, key, source.SnapshotSha256), enumerateCollection: true);
        });
    }
}
