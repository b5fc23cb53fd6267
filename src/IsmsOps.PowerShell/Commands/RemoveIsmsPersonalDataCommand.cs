using System.Management.Automation;
using IsmsOps.Engine.Protection;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Crypto-shreds a leaver's sensitive personal data once the retention period has passed.</summary>
/// <remarks>
/// Destroys the person's own data key and every value encrypted under it (PersonalEmail, PersonalPhone, HomeAddress;
/// from the joiners release also screening notes and adverse findings), and records Person.PersonalDataRemoved in the
/// audit trail with the person id, the key id, the field names and the retention basis, never a value, in one
/// transaction. Allowed only for a person whose Status is Left, whose offboarding cases (if any) are closed, and whose
/// retention period (personalDataRetention in policies/offboarding.yaml, counted from EndDate) has passed; otherwise
/// the error says when it becomes allowed. The audit trail keeps all earlier events, which hold ids and field names
/// only, and still verifies. Running it again for the same person changes nothing. -WhatIf lists the key id and the
/// fields that would be destroyed.
/// Graph permissions: none (this cmdlet changes only the IsmsOps store).
/// </remarks>
/// <example>
/// <code>Remove-IsmsPersonalData -PersonId E1003 -WhatIf</code>
/// <para>Shows the data key and fields that would be destroyed, or why removal is not allowed yet.</para>
/// </example>
/// <example>
/// <code>Get-IsmsPerson -Status Left | Remove-IsmsPersonalData -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable notYet</code>
/// <para>A scheduled clean-up: removes the data of every leaver whose retention period has passed; $notYet says when the others become due.</para>
/// </example>
/// <example>
/// <code>Remove-IsmsPersonalData -PersonId E1003 -Force -Confirm:$false</code>
/// <para>Honours an erasure request before the retention period ends; the audit event records that it was forced.</para>
/// </example>
[Cmdlet(VerbsCommon.Remove, "IsmsPersonalData", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(PersonalDataRemovalResult))]
public sealed class RemoveIsmsPersonalDataCommand : IsmsCmdlet
{
    /// <summary>The PersonId of the leaver whose personal data is removed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("EmployeeId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PersonIdCompleter))]
    public string PersonId { get; set; } = string.Empty;

    /// <summary>
    /// Removes the data before the retention period has passed, for an erasure request. It overrides the retention
    /// period only: the person must still have Left with every offboarding case closed. The audit event records it.
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    // The removal for this run, with the retention policy (offboarding.yaml) read once for every person piped in.
    private PersonalDataRemoval? _removal;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            PersonalDataRemoval removal = _removal ??= Workspace.PersonalDataRemoval.WithPolicyReadOnce();
            // Checked before asking, so -WhatIf shows the same refusal the removal would meet.
            PersonalDataRemovalResult plan = Run(ct => removal.PreviewAsync(PersonId, Force, ct));
            if (plan.AlreadyRemoved)
            {
                WriteVerbose($"{plan.PersonId}: personal data already removed ({plan.RetentionBasis}); nothing to do.");
                WriteObject(plan);
                return;
            }

            string fields = plan.Fields.Count == 0 ? "no stored fields" : "fields " + string.Join(", ", plan.Fields);
            string key = plan.KeyId is null ? "no data key" : "data key " + plan.KeyId;
            string forced = plan.Forced ? "; forced before the retention period ends" : string.Empty;
            if (!ShouldProcess(plan.PersonId, $"Destroy {key} and {fields} ({plan.RetentionBasis}{forced})"))
            {
                return;
            }

            WriteObject(Run(ct => removal.RemoveAsync(PersonId, Force, Operation, ct)));
        });
    }
}
