namespace IsmsOps.Sandbox.Directory;

/// <summary>The SKUs the sandbox tenant subscribes to, under Microsoft's published SKU and service plan ids.</summary>
public static class LicenceCatalogue
{
    public static readonly Guid Office365E3 = new("6fd2c87f-b296-42f0-b197-1e91e994b900");
    public static readonly Guid Microsoft365E5 = new("06ebc4ee-1bb5-47dd-8120-11324bc54e06");
    public static readonly Guid EntraIdP1 = new("078d2b04-f1bd-4111-bbd4-b4b1b354cef4");
    public static readonly Guid EntraIdP2 = new("84a661c4-e949-4bd2-a560-ed7766fcaf2b");

    /// <summary>Exchange Online (Plan 1): mail only, what the contractor roles of the shipped catalog assign.</summary>
    public static readonly Guid ExchangeOnlinePlan1 = new("4b9405b0-7788-4568-add1-99614e613b69");

    private static readonly ServicePlan ExchangeStandard = new(new Guid("9aaf7827-d63c-4b61-89c3-182f06f82e5c"), "EXCHANGE_S_STANDARD");
    private static readonly ServicePlan Exchange = new(new Guid("efb87545-963c-4e0d-99df-69c6916d9eb0"), "EXCHANGE_S_ENTERPRISE");
    private static readonly ServicePlan SharePoint = new(new Guid("5dbe027f-2339-4123-9542-606e4d348a72"), "SHAREPOINTENTERPRISE");
    private static readonly ServicePlan Teams = new(new Guid("57ff2da0-773e-42df-b2af-ffb7a2317929"), "TEAMS1");
    private static readonly ServicePlan OfficeApps = new(new Guid("43de0ff5-c92c-492b-9116-175376d08c38"), "OFFICESUBSCRIPTION");
    private static readonly ServicePlan PremiumP1 = new(new Guid("41781fb2-bc02-4b7c-bd55-b576c07bb09d"), "AAD_PREMIUM");
    private static readonly ServicePlan PremiumP2 = new(new Guid("eec0eb4f-6444-4f95-aba0-50c24d67f998"), "AAD_PREMIUM_P2");
    private static readonly ServicePlan Mfa = new(new Guid("8a256a2b-b617-496d-b51b-e76466e88db0"), "MFA_PREMIUM");

    /// <summary>Teams, the plan most often switched off inside a direct assignment (disabledPlans).</summary>
    public static Guid TeamsPlanId => Teams.ServicePlanId;

    internal static IReadOnlyList<SubscribedSku> For(int userCount) =>
    [
        Sku(Office365E3, "ENTERPRISEPACK", userCount, Exchange, SharePoint, Teams, OfficeApps),
        Sku(Microsoft365E5, "SPE_E5", userCount / 2, Exchange, SharePoint, Teams, OfficeApps, PremiumP1, PremiumP2, Mfa),
        Sku(EntraIdP1, "AAD_PREMIUM", userCount, PremiumP1, Mfa),
        Sku(EntraIdP2, "AAD_PREMIUM_P2", Math.Max(25, userCount / 20), PremiumP1, PremiumP2, Mfa),
        // No generated user holds it: it is there for joiners onboarded into a contractor role.
        Sku(ExchangeOnlinePlan1, "EXCHANGESTANDARD", Math.Max(25, userCount / 20), ExchangeStandard),
    ];

    private static SubscribedSku Sku(Guid id, string partNumber, int seats, params ServicePlan[] plans) => new()
    {
        SkuId = id,
        SkuPartNumber = partNumber,
        // Enough seats that assignment never fails for want of one, short of the whole tenant taking every SKU.
        EnabledUnits = seats + 50,
        ServicePlans = plans,
    };
}
