using System.Globalization;
using DocStore.Client;
using DocStore.Server;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace DocStore.Testing;

/// <summary>
/// The real DocStore server, in this process, on its embedded store in a temporary file that is deleted on dispose. It
/// listens on a free loopback port (plaintext HTTP/2) and hands out <see cref="DocStoreClient"/>s wired to it:
/// <c>await using var docStore = await DocStoreTestHost.StartAsync(o =&gt; o.Collection("orders", "/customerId"));</c>.
/// </summary>
/// <remarks>
/// The server is the one DocStore runs in production, with the embedded store's Cosmos DB semantics (etags, patches,
/// queries, batches, the change feed, session tokens and, when <see cref="DocStoreTestHostOptions.ReplicaLag"/> is set,
/// stale reads). A service under test can use <see cref="Client"/>, or register its own with
/// <c>services.AddDocStoreClient(o =&gt; o.Address = host.Address)</c>.
/// </remarks>
public sealed class DocStoreTestHost : IAsyncDisposable
{
    private readonly List<WebApplication> _apps;
    private readonly GrpcChannel[] _channels;
    private readonly string _directory;
    private int _disposed;

    private DocStoreTestHost(List<WebApplication> apps, string directory, string databasePath)
    {
        _apps = apps;
        _directory = directory;
        Addresses = [.. apps.Select(app => new Uri(app.Urls.Single()))];
        DatabasePath = databasePath;
        _channels = [.. Addresses.Select(address => GrpcChannel.ForAddress(address))];
        Client = DocStoreClient.Create(_channels[0]);
    }

    /// <summary>Where the (first) server instance listens, such as <c>http://127.0.0.1:41234</c> (plaintext HTTP/2).</summary>
    public Uri Address => Addresses[0];

    /// <summary>Where each server instance listens (<see cref="DocStoreTestHostOptions.Instances"/>).</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    /// <summary>The embedded store's file, in a temporary folder that is deleted on dispose.</summary>
    public string DatabasePath { get; }

    /// <summary>A client of the (first) server instance with default options, over a channel the host owns.</summary>
    public DocStoreClient Client { get; }

    /// <summary>Starts a server.</summary>
    /// <param name="configure">Adds collections and settings; null for the default <c>items</c> collection (<c>/pk</c>).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running host; dispose it to stop the server and delete its file.</returns>
    /// <exception cref="InvalidOperationException">The server refused its settings; the message names every problem.</exception>
    public static async Task<DocStoreTestHost> StartAsync(Action<DocStoreTestHostOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var options = new DocStoreTestHostOptions();
        configure?.Invoke(options);

        if (options.Instances is < 1 or > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(configure), options.Instances, "DocStoreTestHostOptions.Instances must be 1 to 8.");
        }

        var directory = Path.Combine(Path.GetTempPath(), "docstore-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var databasePath = Path.Combine(directory, "docstore.db");
        var apps = new List<WebApplication>();
        try
        {
            for (var i = 0; i < options.Instances; i++)
            {
                apps.Add(await StartInstanceAsync(options, directory, databasePath, cancellationToken).ConfigureAwait(false));
            }

            return new DocStoreTestHost(apps, directory, databasePath);
        }
        catch
        {
            foreach (var app in apps)
            {
                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await app.DisposeAsync().ConfigureAwait(false);
            }

            SqliteConnection.ClearAllPools();
            DeleteDirectory(directory);
            throw;
        }
    }

    private static async Task<WebApplication> StartInstanceAsync(DocStoreTestHostOptions options, string directory, string databasePath, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production",
            ContentRootPath = directory,
            ApplicationName = typeof(DocStoreTestHost).Assembly.GetName().Name,
        });

        // Only what the test sets: no appsettings.json of the test project, no DOCSTORE__ environment variable.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(Settings(options, databasePath));
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.AddDocStore();

        var app = builder.Build();
        app.MapDocStore();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException("The DocStore test host refused its settings: " + e.Message, e);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return app;
    }

    /// <summary>
    /// A new client of the server, with its own channel and session tokens: another process, as far as the server can
    /// tell. The host disposes its channel.
    /// </summary>
    /// <param name="configure">Sets the client's options (JSON options, body format, retries); the channel's own settings, such as the address, are refused.</param>
    /// <param name="instance">The server instance the client calls, 0 to <see cref="DocStoreTestHostOptions.Instances"/> - 1. Defaults to 0.</param>
    public DocStoreClient CreateClient(Action<DocStoreClientOptions>? configure = null, int instance = 0)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ArgumentOutOfRangeException.ThrowIfNegative(instance);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(instance, _channels.Length);
        var options = new DocStoreClientOptions();
        configure?.Invoke(options);
        return DocStoreClient.Create(_channels[instance], options);
    }

    /// <summary>Stops the server and deletes its file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        foreach (var app in _apps)
        {
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }

        SqliteConnection.ClearAllPools();
        DeleteDirectory(_directory);
    }

    private static Dictionary<string, string?> Settings(DocStoreTestHostOptions options, string databasePath)
    {
        var settings = new Dictionary<string, string?>(options.Settings, StringComparer.OrdinalIgnoreCase)
        {
            ["DocStore:Store"] = "Embedded",
            ["DocStore:Embedded:Path"] = databasePath,
            ["DocStore:Embedded:ReplicaLag"] = options.ReplicaLag.ToString("c", CultureInfo.InvariantCulture),
        };

        // No Prometheus port unless asked for: several hosts run at once in a test run.
        settings.TryAdd("DocStore:Metrics:Port", "0");
        return settings;
    }

    private static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open (another process reading it); the temporary folder is the OS's to clean.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
