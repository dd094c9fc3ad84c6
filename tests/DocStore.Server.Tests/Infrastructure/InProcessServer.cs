extern alias server;

using DocStore.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DocStore.Server.Tests.Infrastructure;

/// <summary>
/// The server in this process on a TestServer, on its own SQLite file, with a real gRPC client over
/// the TestServer's handler. Collections: <c>items</c> (<c>/pk</c>) and <c>orders</c> (<c>/customer/id</c>).
/// </summary>
public sealed class InProcessServer : IDisposable, IContractServer
{
    private readonly WebApplicationFactory<server::Program> _factory;

    public InProcessServer()
        : this(configureServices: null)
    {
    }

    private InProcessServer(Action<IServiceCollection>? configureServices, IReadOnlyDictionary<string, string?>? settings = null)
    {
        DatabasePath = TestPaths.NewDatabasePath();
        _factory = new WebApplicationFactory<server::Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("DocStore:Embedded:Path", DatabasePath);
            builder.UseSetting("DocStore:Collections:items:PartitionKeyPath", "/pk");
            builder.UseSetting("DocStore:Collections:orders:PartitionKeyPath", "/customer/id");
            builder.UseSetting("DocStore:Collections:orders:AllowCrossPartitionQuery", "true");
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                builder.UseSetting(key, value);
            }

            // No console logging: the fault tests' expected errors (with their exceptions) would read as failures in
            // a passing run's output. What a test needs from the server it checks through calls, metrics or a process.
            builder.ConfigureLogging(logging => logging.ClearProviders());
            if (configureServices is not null)
            {
                builder.ConfigureTestServices(configureServices);
            }
        });
        Channel = GrpcChannel.ForAddress(_factory.Server.BaseAddress, new GrpcChannelOptions
        {
            HttpHandler = _factory.Server.CreateHandler(),
            MaxReceiveMessageSize = 32 * 1024 * 1024,
        });
        Client = new DocStoreService.DocStoreServiceClient(Channel);
    }

    public string DatabasePath { get; }

    /// <summary>A server whose services <paramref name="configureServices"/> replaces after the application's own registrations.</summary>
    public static InProcessServer WithServices(Action<IServiceCollection> configureServices) => new(configureServices);

    /// <summary>A server with <paramref name="settings"/> added to its configuration (for example another store's).</summary>
    public static InProcessServer WithSettings(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null) =>
        new(configureServices, settings);

    /// <inheritdoc />
    public string Store => _factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<server::DocStore.Server.DocStoreOptions>>().Value.Store.ToString();

    /// <summary>The application's services, to reach server internals.</summary>
    public IServiceProvider Services => _factory.Services;

    /// <inheritdoc />
    public Task<string> ReadStoredJsonAsync(string collection, string id, string partitionKey)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT body FROM documents WHERE collection = $collection AND partition_key = $pk AND id = $id";
        command.Parameters.AddWithValue("$collection", collection);
        command.Parameters.AddWithValue("$pk", partitionKey);
        command.Parameters.AddWithValue("$id", id);
        return Task.FromResult(System.Text.Encoding.UTF8.GetString((byte[])command.ExecuteScalar()!));
    }

    public GrpcChannel Channel { get; }

    public DocStoreService.DocStoreServiceClient Client { get; }

    public void Dispose()
    {
        Channel.Dispose();
        _factory.Dispose();
    }
}
