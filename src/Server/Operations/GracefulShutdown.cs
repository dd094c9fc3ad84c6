using Microsoft.Extensions.Options;

namespace DocStore.Server.Operations;

/// <summary>
/// The first step of stopping, before the web server stops: readiness turns NOT_SERVING at once, and
/// the server keeps taking calls for <see cref="ShutdownOptions.DrainDelay"/>. The web server then stops
/// accepting connections and lets calls in flight finish; the host's shutdown timeout, set to the drain
/// delay plus <see cref="ShutdownOptions.GracePeriod"/>, bounds the whole.
/// </summary>
internal sealed class GracefulShutdown(
    ShutdownState state, IOptions<DocStoreOptions> options, TimeProvider time, ILogger<GracefulShutdown> logger) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        state.BeginDraining();
        var shutdown = options.Value.Shutdown;
        OperationsLog.ShuttingDown(logger, shutdown.DrainDelay, shutdown.GracePeriod);
        if (shutdown.DrainDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(shutdown.DrainDelay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The shutdown timeout passed: stop draining and let the server stop.
            }
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
