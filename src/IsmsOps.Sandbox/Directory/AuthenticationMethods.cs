namespace IsmsOps.Sandbox.Directory;

/// <summary>
/// One of a user's registered sign-in methods. Each subtype knows its Graph type, the path segment Graph files it under
/// (users/{id}/authentication/{segment}/{methodId}) and what it counts as in the registration report.
/// </summary>
public abstract class AuthenticationMethod
{
    protected AuthenticationMethod(string id) => Id = id;

    public string Id { get; }
    public DateTimeOffset? CreatedDateTime { get; init; }

    public abstract string ODataType { get; }

    /// <summary>The typed collection under users/{id}/authentication, e.g. phoneMethods.</summary>
    public abstract string CollectionSegment { get; }

    /// <summary>The value this method adds to userRegistrationDetails.methodsRegistered, or null for none.</summary>
    public abstract string? RegisteredAs { get; }

    /// <summary>Whether the method satisfies multifactor authentication on its own.</summary>
    public virtual bool IsMfa => false;

    /// <summary>
    /// What userRegistrationDetails.userPreferredMethodForSecondaryAuthentication says when this is the user's default
    /// method (push, sms, oath), or null when the method cannot be the default.
    /// </summary>
    public virtual string? PreferredForSecondaryAuthentication => null;
}

public sealed class PasswordMethod(string id) : AuthenticationMethod(id)
{
    /// <summary>Graph gives every user's password method this id.</summary>
    public const string WellKnownId = "28c10230-6103-485e-b985-444c60001490";

    public override string ODataType => "#microsoft.graph.passwordAuthenticationMethod";
    public override string CollectionSegment => "passwordMethods";
    public override string? RegisteredAs => null;
}

public sealed class MicrosoftAuthenticatorMethod(string id) : AuthenticationMethod(id)
{
    public override string ODataType => "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod";
    public override string CollectionSegment => "microsoftAuthenticatorMethods";
    public override string? RegisteredAs => "microsoftAuthenticatorPush";
    public override bool IsMfa => true;
    public override string? PreferredForSecondaryAuthentication => "push";
    public required string DisplayName { get; init; }
    public string? DeviceTag { get; init; } = "SoftwareTokenActivated";
    public string? PhoneAppVersion { get; init; }
}

public sealed class PhoneMethod(string id) : AuthenticationMethod(id)
{
    /// <summary>Graph's fixed ids for the three phone slots.</summary>
    public const string MobileId = "3179e48a-750b-4051-897c-87b9720928f7";
    public const string AlternateMobileId = "b6332ec1-7057-4abe-9331-3d72feddfe41";
    public const string OfficeId = "e37fc753-ff3b-4958-9484-eaa9425c82bc";

    public override string ODataType => "#microsoft.graph.phoneAuthenticationMethod";
    public override string CollectionSegment => "phoneMethods";
    public override string? RegisteredAs => PhoneType;
    public override bool IsMfa => true;
    public override string? PreferredForSecondaryAuthentication => PhoneType == "mobile" ? "sms" : PhoneType == "office" ? "voiceOffice" : "voiceAlternateMobile";
    public required string PhoneNumber { get; init; }

    /// <summary>mobile, alternateMobile or office.</summary>
    public required string PhoneType { get; init; }

    public string SmsSignInState { get; init; } = "notAllowedByPolicy";
}

public sealed class Fido2Method(string id) : AuthenticationMethod(id)
{
    public override string ODataType => "#microsoft.graph.fido2AuthenticationMethod";
    public override string CollectionSegment => "fido2Methods";

    // The registration report renamed "fido2" to "passKeyDeviceBound" when passkeys arrived.
    public override string? RegisteredAs => "passKeyDeviceBound";
    public override bool IsMfa => true;
    public required string DisplayName { get; init; }
    public required string AaGuid { get; init; }
    public required string Model { get; init; }
    public string AttestationLevel { get; init; } = "attested";
}

public sealed class EmailMethod(string id) : AuthenticationMethod(id)
{
    /// <summary>Graph gives every user's email method this id.</summary>
    public const string WellKnownId = "3ddfcfc8-9383-446f-83cc-3ab9be4be18f";

    public override string ODataType => "#microsoft.graph.emailAuthenticationMethod";
    public override string CollectionSegment => "emailMethods";
    public override string? RegisteredAs => "email";
    public required string EmailAddress { get; init; }
}

public sealed class SoftwareOathMethod(string id) : AuthenticationMethod(id)
{
    public override string ODataType => "#microsoft.graph.softwareOathAuthenticationMethod";
    public override string CollectionSegment => "softwareOathMethods";
    public override string? RegisteredAs => "softwareOneTimePasscode";
    public override bool IsMfa => true;
    public override string? PreferredForSecondaryAuthentication => "oath";
}

public sealed class TemporaryAccessPassMethod(string id) : AuthenticationMethod(id)
{
    public override string ODataType => "#microsoft.graph.temporaryAccessPassAuthenticationMethod";
    public override string CollectionSegment => "temporaryAccessPassMethods";
    public override string? RegisteredAs => "temporaryAccessPass";
    public required DateTimeOffset StartDateTime { get; init; }
    public required int LifetimeInMinutes { get; init; }
    public bool IsUsableOnce { get; init; }

    /// <summary>The pass itself. Graph shows it once, in the answer to the POST that created it, never again.</summary>
    public string? Pass { get; init; }

    /// <summary>
    /// Whether the pass works now. "Now" is the generated organisation's fixed instant, or the pass's own creation for
    /// a pass issued over HTTP (the sandbox clock has moved on since).
    /// </summary>
    public bool IsUsable
    {
        get
        {
            DateTimeOffset now = CreatedDateTime > SandboxOrganisation.Now ? CreatedDateTime.Value : SandboxOrganisation.Now;
            return now >= StartDateTime && now < StartDateTime.AddMinutes(LifetimeInMinutes);
        }
    }
}
