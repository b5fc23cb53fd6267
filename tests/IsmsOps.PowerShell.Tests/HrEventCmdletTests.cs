using System.Management.Automation;

namespace IsmsOps.PowerShell.Tests;

/// <summary>Invoke-IsmsHrEvent in a real PowerShell engine with the built module.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class HrEventCmdletTests
{
    private const string JoinerJson =
        """{ "idempotencyKey": "wd-1", "kind": "Joiner", "personId": "E1001", "displayName": "Ada Lovelace", "jobRole": "software-engineer", "startDate": "2026-01-05" }""";

    private static string Status(PSObject outcome) => outcome.Properties["Status"].Value.ToString()!;

    [Fact]
    public void A_webhook_body_delivered_twice_is_applied_once_and_the_second_delivery_says_already_processed()
    {
        using var ps = new PowerShellSession();

        PSObject first = ps.Run($"Invoke-IsmsHrEvent -Json '{JoinerJson}'").Single();
        PSObject second = ps.Run($"'{JoinerJson}' | Invoke-IsmsHrEvent").Single();

        Assert.Empty(ps.Errors);
        Assert.Equal(("Applied", "AlreadyProcessed"), (Status(first), Status(second)));
        Assert.Equal("software-engineer", ps.Run("(Get-IsmsPerson E1001).JobRole").Single().BaseObject);
        Assert.Single(ps.Run("Get-IsmsAuditEvent -Action HrEvent.Applied"));
    }

    [Fact]
    public void A_reused_key_and_an_unknown_role_are_refused_outcomes_that_change_nothing()
    {
        using var ps = new PowerShellSession();
        ps.Run($"Invoke-IsmsHrEvent -Json '{JoinerJson}' | Out-Null");

        PSObject reused = ps.Run("@{ IdempotencyKey = 'wd-1'; Kind = 'Leaver'; PersonId = 'E1001'; EndDate = [datetime]'2026-12-31' } | Invoke-IsmsHrEvent").Single();
        PSObject unknownRole = ps.Run("[pscustomobject]@{ IdempotencyKey = 'wd-2'; Kind = 'Mover'; PersonId = 'E1001'; JobRole = 'astronaut' } | Invoke-IsmsHrEvent").Single();

        Assert.Empty(ps.Errors);
        Assert.Equal(("Refused", "IsmsOps.HrEvent.KeyReused"), (Status(reused), reused.Properties["ErrorId"].Value));
        Assert.Equal(("Refused", "IsmsOps.Role.NotFound"), (Status(unknownRole), unknownRole.Properties["ErrorId"].Value));
        PSObject ada = ps.Run("Get-IsmsPerson E1001").Single();
        Assert.Equal(("Onboarding", "software-engineer"), (ada.Properties["Status"].Value.ToString(), ada.Properties["JobRole"].Value));
    }

    [Fact]
    public void WhatIf_applies_nothing_and_a_malformed_body_is_an_error_naming_the_line()
    {
        using var ps = new PowerShellSession();

        Assert.Empty(ps.Run($"Invoke-IsmsHrEvent -Json '{JoinerJson}' -WhatIf"));
        ps.Run("Invoke-IsmsHrEvent -Json '{ \"kind\": ' ");

        Assert.Empty(ps.Run("Get-IsmsPerson"));
        ErrorRecord error = Assert.Single(ps.Errors);
        Assert.Equal("IsmsOps.HrEvent.InvalidJson", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("line 1", error.Exception.Message, StringComparison.Ordinal);
    }
}
