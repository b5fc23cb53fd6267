using System.Globalization;

namespace IsmsOps.Sandbox.Directory;

/// <summary>How people sign in: authentication methods and devices.</summary>
public static partial class SandboxOrganisation
{
    private static readonly (string Model, string AaGuid)[] SecurityKeys =
    [
        ("YubiKey 5 NFC", "fa2b99dc-9e39-4257-8f92-4a30d23c4118"),
        ("YubiKey 5Ci", "c5ef55ff-ad9a-4b9f-b580-adebafe026d0"),
        ("Feitian ePass FIDO2", "833b721a-ff5f-4d00-bb2e-bdda3ec01e29"),
    ];

    private static readonly (string System, string[] Versions, double Share)[] OperatingSystems =
    [
        ("Windows", ["10.0.22631.4460", "10.0.26100.2314", "10.0.19045.5131"], 0.7),
        ("MacMDM", ["14.7.1", "15.1.1"], 0.15),
        ("iOS", ["17.7.2", "18.1.1"], 0.1),
        ("Android", ["14", "15"], 0.05),
    ];

    private static void GenerateAuthenticationMethods(Tenant tenant, SeedSequence random)
    {
        // Guests authenticate in their home tenant, so this tenant holds no methods for them.
        foreach (DirectoryUser user in tenant.Users.Where(u => u.UserType == "Member"))
        {
            DateTimeOffset Registered() => user.CreatedDateTime.AddDays(random.Next(0, 60)).AddSeconds(random.Next(86_400));

            user.AddMethod(new PasswordMethod(PasswordMethod.WellKnownId) { CreatedDateTime = user.CreatedDateTime });
            // About one in ten has no second factor at all: the gap an MFA control exists to find.
            bool hasMfa = !random.Chance(0.1);
            if (hasMfa && random.Chance(0.75))
            {
                user.AddMethod(new MicrosoftAuthenticatorMethod(random.NextGuid().ToString())
                {
                    CreatedDateTime = Registered(),
                    DisplayName = random.Chance(0.6) ? "iPhone 15" : "Pixel 8",
                    PhoneAppVersion = random.Chance(0.5) ? "6.8.17" : "6.2412.8040",
                });
            }

            if (hasMfa && random.Chance(0.4))
            {
                user.AddMethod(new PhoneMethod(PhoneMethod.MobileId)
                {
                    PhoneNumber = "+44 7700" + random.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture),
                    PhoneType = "mobile",
                });
            }

            if (hasMfa && random.Chance(0.1))
            {
                var (model, aaGuid) = random.Pick(SecurityKeys);
                user.AddMethod(new Fido2Method(random.NextGuid().ToString())
                {
                    CreatedDateTime = Registered(),
                    DisplayName = "Security key",
                    Model = model,
                    AaGuid = aaGuid,
                });
            }

            if (hasMfa && random.Chance(0.05))
            {
                user.AddMethod(new SoftwareOathMethod(random.NextGuid().ToString()) { CreatedDateTime = Registered() });
            }

            if (random.Chance(0.3))
            {
                user.AddMethod(new EmailMethod(EmailMethod.WellKnownId) { EmailAddress = $"{user.MailNickname}@personal.example" });
            }

            if (user.CreatedDateTime > Now.AddDays(-14) || random.Chance(0.005))
            {
                DateTimeOffset start = Now.AddHours(-random.Next(1, 48));
                user.AddMethod(new TemporaryAccessPassMethod(random.NextGuid().ToString())
                {
                    CreatedDateTime = start,
                    StartDateTime = start,
                    LifetimeInMinutes = random.Chance(0.5) ? 60 : 480,
                    IsUsableOnce = random.Chance(0.5),
                });
            }

            // The first MFA method registered in order of Entra ID's own preference becomes the default.
            user.DefaultMfaMethod = user.AuthenticationMethods.FirstOrDefault(m => m is MicrosoftAuthenticatorMethod)
                ?? user.AuthenticationMethods.FirstOrDefault(m => m.PreferredForSecondaryAuthentication is not null);
        }
    }

    private static void GenerateDevices(Tenant tenant, SeedSequence random)
    {
        foreach (DirectoryUser user in tenant.Users.Where(u => u.UserType == "Member"))
        {
            // About one device per two users: most have none registered in the directory, a few have two.
            int count = random.Chance(0.45) ? (random.Chance(0.1) ? 2 : 1) : 0;
            for (int i = 0; i < count; i++)
            {
                var (system, versions, _) = PickOperatingSystem(random);
                string name = system switch
                {
                    "Windows" => "LAPTOP-" + random.NextUInt64().ToString("X6", CultureInfo.InvariantCulture)[..6],
                    "MacMDM" => $"{user.GivenName}'s MacBook Pro",
                    "iOS" => $"{user.GivenName}'s iPhone",
                    _ => $"{user.GivenName}'s Android",
                };
                bool stale = random.Chance(0.1);
                var device = new DirectoryDevice(random.NextGuid().ToString())
                {
                    DeviceId = random.NextGuid().ToString(),
                    DisplayName = name,
                    OperatingSystem = system,
                    OperatingSystemVersion = random.Pick(versions),
                    TrustType = system == "Windows" ? (user.OnPremisesSyncEnabled == true ? "ServerAd" : "AzureAd") : "Workplace",
                    AccountEnabled = !random.Chance(0.02),
                    RegistrationDateTime = user.CreatedDateTime.AddDays(random.Next(0, 30)),
                    ApproximateLastSignInDateTime = stale ? Now.AddDays(-random.Next(120, 400)) : Now.AddDays(-random.Next(0, 30)),
                    IsCompliant = system is "Windows" or "MacMDM" ? !random.Chance(0.1) : null,
                    IsManaged = system is "Windows" or "MacMDM" ? true : null,
                };
                device.AddOwner(user);
                device.AddUser(user);
                tenant.Add(device);
            }
        }
    }

    private static (string System, string[] Versions, double Share) PickOperatingSystem(SeedSequence random)
    {
        double roll = random.NextDouble();
        foreach (var os in OperatingSystems)
        {
            if ((roll -= os.Share) < 0)
            {
                return os;
            }
        }

        return OperatingSystems[0];
    }
}
