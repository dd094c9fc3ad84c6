namespace DocStore.Server.Security;

/// <summary>
/// The addresses the server listens on, resolved the way ASP.NET Core does (<c>urls</c>, else the port lists, else
/// <c>Kestrel:Endpoints</c>, else <c>http://localhost:5000</c>), so that start-up can refuse an exposed server
/// without authentication, and TLS can be put on the gRPC ports.
/// </summary>
internal sealed class ListenAddresses(IReadOnlyList<string> urls)
{
    private const string DefaultUrls = "http://localhost:5000";

    public IReadOnlyList<string> Urls => urls;

    public static ListenAddresses From(IConfiguration configuration)
    {
        var configured = configuration["urls"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new(Split(configured));
        }

        var fromPorts = Split(configuration["http_ports"]).Select(p => $"http://*:{p}")
            .Concat(Split(configuration["https_ports"]).Select(p => $"https://*:{p}"))
            .ToList();
        if (fromPorts.Count > 0)
        {
            return new(fromPorts);
        }

        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>().ToList();
        return new(endpoints.Count > 0 ? endpoints : [DefaultUrls]);
    }

    /// <summary>The first address that other machines can reach, or null when every address is loopback.</summary>
    public string? FirstNonLoopback() => urls.FirstOrDefault(url => !IsLoopback(url));

    public static bool IsLoopback(string url) =>
        Uri.TryCreate(url.Replace("://*", "://any", StringComparison.Ordinal).Replace("://+", "://any", StringComparison.Ordinal), UriKind.Absolute, out var uri)
        && uri.IsLoopback;

    /// <summary>The port of <paramref name="url"/>, or -1.</summary>
    public static int PortOf(string url) =>
        Uri.TryCreate(url.Replace("://*", "://any", StringComparison.Ordinal).Replace("://+", "://any", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Port : -1;

    private static string[] Split(string? list) =>
        string.IsNullOrWhiteSpace(list) ? [] : list.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
