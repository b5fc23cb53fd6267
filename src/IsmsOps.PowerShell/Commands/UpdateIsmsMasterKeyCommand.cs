using System.Management.Automation;
using IsmsOps.Engine.Protection;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Rotates the personal-data master key: rewraps every person's data key under a new master key.</summary>
/// <remarks>
/// Every person's data key is unwrapped with the current master key and wrapped again under a new one, in one
/// transaction with a PersonalData.MasterKeyRotated audit event (old and new key ids, how many keys); no personal
/// value is decrypted. With the key file (keys/personal-data-master.key), the new key is made at random and written to
/// keys/personal-data-master.key.next first, and replaces the key file once the rewrapped keys are committed. With
/// ISMSOPS_MASTER_KEY, put the new key in ISMSOPS_MASTER_KEY_NEXT, run this, then move it into ISMSOPS_MASTER_KEY.
/// Back up the new key before deleting the old one (docs/personal-data.md).
/// Graph permissions: none (this cmdlet changes only the IsmsOps store and its key file).
/// </remarks>
/// <example>
/// <code>Update-IsmsMasterKey -Confirm:$false</code>
/// <para>Rotates the key file's master key and shows the old and new key ids.</para>
/// </example>
[Cmdlet(VerbsData.Update, "IsmsMasterKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(MasterKeyRotation))]
public sealed class UpdateIsmsMasterKeyCommand : IsmsCmdlet
{
    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (!ShouldProcess("personal-data master key", "Rewrap every person's data key under a new master key"))
        {
            return;
        }

        ForEachItem(() => WriteObject(Run((w, ct) => w.PersonalData.RotateMasterKeyAsync(Operation, ct))));
    }
}
