using System.Text.Json;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Sandbox.Http.Routes;

/// <summary>devices: the collection (with registered owners and users expandable), one device, and disabling it.</summary>
internal static class DeviceRoutes
{
    private static readonly ListingOptions<DirectoryDevice> Devices = new()
    {
        Expansions =
        [
            new Expansion<DirectoryDevice>("registeredOwners", d => d.RegisteredOwners),
            new Expansion<DirectoryDevice>("registeredUsers", d => d.RegisteredUsers),
        ],
    };

    private static readonly ListingOptions<DirectoryObject> DirectoryObjects = new() { WithODataType = true };

    public static void Map(RouteTable routes)
    {
        routes.Map("GET devices", call => GraphPayloads.Collection(call, "devices", call.Tenant.Devices, GraphShapes.Device, Devices));
        routes.Map("GET devices/{id}", call => WithDevice(call, device => GraphPayloads.Entity(call, "devices/$entity", device, GraphShapes.Device, Devices)));
        routes.Map("PATCH devices/{id}", call => WithDevice(call, device => call.WithBody(body => Update(call, device, body))));
        routes.Map("GET devices/{id}/registeredOwners", call => WithDevice(call, device =>
            GraphPayloads.Collection<DirectoryObject>(call, "directoryObjects", device.RegisteredOwners, GraphShapes.DirectoryObject, DirectoryObjects)));
        routes.Map("GET devices/{id}/registeredUsers", call => WithDevice(call, device =>
            GraphPayloads.Collection<DirectoryObject>(call, "directoryObjects", device.RegisteredUsers, GraphShapes.DirectoryObject, DirectoryObjects)));
    }

    private static GraphResponse WithDevice(RouteCall call, Func<DirectoryDevice, GraphResponse> then) =>
        call.Tenant.FindDevice(call["id"]) is { } device ? then(device) : call.NotFound(call["id"]);

    private static GraphResponse Update(RouteCall call, DirectoryDevice device, JsonElement body)
    {
        foreach (JsonProperty property in body.EnumerateObject())
        {
            if (property.Name != "accountEnabled" || property.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return call.BadRequest($"The sandbox cannot update device property '{property.Name}'; it supports accountEnabled.");
            }
        }

        if (body.TryGetProperty("accountEnabled", out JsonElement enabled))
        {
            device.AccountEnabled = enabled.GetBoolean();
        }

        return GraphResponse.NoContent();
    }
}
