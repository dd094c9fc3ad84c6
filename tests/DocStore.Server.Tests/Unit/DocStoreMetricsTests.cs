extern alias server;

using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using server::DocStore.Server.Operations;
using server::DocStore.Server.Storage;

namespace DocStore.Server.Tests.Unit;

/// <summary>The DocStore.Server meter: request charge of successful calls, store errors by kind.</summary>
public sealed class DocStoreMetricsTests
{
    private static readonly CollectionDefinition Items = new("items", "items", JsonPointer.Parse("/pk"));

    [Fact]
    public void Every_failing_store_status_is_counted_under_its_own_kind_and_successes_record_their_charge()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var metrics = new DocStoreMetrics(factory);
        var measurements = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this test's meter: other tests' servers publish on meters of the same name.
            if (instrument.Meter.Name == DocStoreMetrics.MeterName && instrument.Meter.Scope == factory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Add((i.Name, v, Tags(tags))));
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Add((i.Name, v, Tags(tags))));
        listener.Start();

        var failing = Enum.GetValues<StoreStatus>().Where(s => s != StoreStatus.Ok).ToList();
        foreach (var status in failing)
        {
            metrics.Record("Get", Items, StoreResult.Failure(status));
        }

        metrics.Record("Upsert", Items, StoreResult.Success(new StoredDocument("{}"u8.ToArray(), "\"e\"", DateTimeOffset.UnixEpoch, "0:-1#1", 5.5)));

        var errors = measurements.Where(m => m.Instrument == "docstore.store.errors").ToList();
        Assert.Equal(failing.Count, errors.Count);
        var kinds = errors.Select(e => (string)e.Tags["error.type"]!).ToList();
        Assert.Equal(kinds.Count, kinds.Distinct().Count());
        Assert.DoesNotContain("other", kinds);
        Assert.Contains("throttled", kinds);
        Assert.Contains("unavailable", kinds);
        Assert.All(errors, e => Assert.Equal(("Get", "items", 1.0), ((string)e.Tags["rpc.method"]!, (string)e.Tags["docstore.collection"]!, e.Value)));

        var charge = Assert.Single(measurements, m => m.Instrument == "docstore.request.charge");
        Assert.Equal(5.5, charge.Value);
        Assert.Equal("Upsert", charge.Tags["rpc.method"]);
    }

    private static Dictionary<string, object?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            result[key] = value;
        }

        return result;
    }
}
