using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace IsmsOps.Sandbox.Tests;

/// <summary>A started sandbox and an HttpClient already carrying its token: what every test here starts from.</summary>
internal sealed class SandboxClient : IDisposable
{
    public SandboxClient(SandboxOptions? options = null)
    {
        Sandbox = GraphSandbox.Start(options ?? new SandboxOptions { UserCount = 200 });
        Http = new HttpClient { BaseAddress = new Uri(Sandbox.Url + "/") };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Sandbox.AccessToken);
    }

    public GraphSandbox Sandbox { get; }
    public HttpClient Http { get; }

    public async Task<(HttpResponseMessage Response, JsonElement Body)> SendAsync(HttpMethod method, string relativeOrAbsoluteUrl, object? body = null)
    {
        using var request = new HttpRequestMessage(method, relativeOrAbsoluteUrl);
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response = await Http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        JsonElement json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response, json);
    }

    public Task<(HttpResponseMessage Response, JsonElement Body)> GetAsync(string url) => SendAsync(HttpMethod.Get, url);

    /// <summary>Follows @odata.nextLink verbatim until the last page, as a Graph client must.</summary>
    public async Task<List<JsonElement>> GetAllAsync(string url)
    {
        var items = new List<JsonElement>();
        for (string? next = url; next is not null;)
        {
            var (response, body) = await GetAsync(next);
            Assert.Equal(200, (int)response.StatusCode);
            items.AddRange(body.GetProperty("value").EnumerateArray());
            next = body.TryGetProperty("@odata.nextLink", out JsonElement link) ? link.GetString() : null;
        }

        return items;
    }

    public void Dispose()
    {
        Http.Dispose();
        Sandbox.Dispose();
    }
}
