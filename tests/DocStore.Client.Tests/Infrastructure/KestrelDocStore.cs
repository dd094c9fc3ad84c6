extern alias server;

using server::DocStore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DocStore.Client.Tests.Infrastructure;

/// <summary>
/// The real DocStore server in this process on real Kestrel, on a free loopback port, built the way
/// Program.cs builds it. Counts the DocStore calls it serves.
/// </summary>
public sealed class KestrelDocStore : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _calls;

    private KestrelDocStore(WebApplication app)
    {
        _app = app;
    }

    /// <summary>Where the server listens, such as <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>How many DocStore calls (Get, Upsert, Patch) the server has received.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public static async Task<KestrelDocStore> StartAsync(string databasePath, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration["DocStore:Embedded:Path"] = databasePath;
        builder.Configuration["DocStore:Metrics:Port"] = "0";
        builder.Logging.ClearProviders();
        builder.AddDocStore();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        var server = new KestrelDocStore(app);
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/docstore.v1.DocStoreService", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref server._calls);
            }

            await next(context);
        });
        app.MapDocStore();
        await app.StartAsync();
        server.Address = new Uri(app.Urls.Single());
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
