using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.Roles;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Gets roles from the role catalog (policies/roles/*.yaml).</summary>
/// <remarks>
/// Lists the roles defined as code: each role's id and title, the screening level it requires (and any per-country
/// overrides), whether the minimal baseline may be granted before screening clears, its birthright groups, licences
/// and app roles, whether it is privileged, its segregation-of-duties conflicts and how often its access is reviewed.
/// The catalog is read from the roles folder of $env:ISMSOPS_POLICIES, or else of the policies folder shipped with the
/// module, each time the command runs, so an edit applies at once. A catalog with any error stops the command with
/// IsmsOps.Policy.Invalid, listing every error as file:line:column; Test-IsmsRoleCatalog returns them as objects.
/// Id takes wildcards (* ? [a-z]) and is case-insensitive. An Id without wildcards may also be a role's title, so a
/// person piped in finds the role their JobRole names; one that matches no role is a non-terminating
/// IsmsOps.Role.NotFound error.
/// Graph permissions: none (this cmdlet reads only policy files).
/// </remarks>
/// <example>
/// <code>Get-IsmsRole</code>
/// <para>Lists every role in the catalog.</para>
/// </example>
/// <example>
/// <code>Get-IsmsRole -Privileged</code>
/// <para>Lists the privileged roles, whose holders need the closest review.</para>
/// </example>
/// <example>
/// <code>Get-IsmsRole 'payroll-*' | ForEach-Object Conflicts</code>
/// <para>Shows what the payroll roles must never be combined with.</para>
/// </example>
/// <example>
/// <code>Get-IsmsPerson E1001 | Get-IsmsRole</code>
/// <para>Shows the role that a person's JobRole names.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "IsmsRole")]
[OutputType(typeof(RoleDefinition))]
public sealed class GetIsmsRoleCommand : IsmsCmdlet
{
    private RoleCatalog? _catalog;

    /// <summary>Role ids to return; wildcards allowed. Without wildcards, a role's title is accepted too.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [Alias("RoleId", "JobRole")]
    public string[]? Id { get; set; }

    /// <summary>Only privileged roles.</summary>
    [Parameter]
    public SwitchParameter Privileged { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        StopOnError(() =>
        {
            _catalog = ModuleSession.LoadRoleCatalog();
        });

        WriteVerbose($"Role catalog: {_catalog!.Source} ({_catalog.Roles.Count} roles).");
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        RoleCatalog catalog = _catalog!;
        if (Id is null || Id.Length == 0)
        {
            Write(catalog.Roles);
            return;
        }

        foreach (string id in Id)
        {
            ForEachItem(() =>
            {
                if (NamePatternSet.ContainsWildcard(id))
                {
                    Write(catalog.Match([id]));
                }
                else
                {
                    Write([catalog.ResolveJobRole(id)]);
                }
            });
        }
    }

    private void Write(IEnumerable<RoleDefinition> roles)
    {
        foreach (RoleDefinition role in roles)
        {
            if (!Privileged || role.Privileged)
            {
                WriteObject(role);
            }
        }
    }
}
