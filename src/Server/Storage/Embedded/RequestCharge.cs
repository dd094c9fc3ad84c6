namespace DocStore.Server.Storage.Embedded;

/// <summary>
/// Request units, estimated the way Cosmos DB documents them: a point read of a 1 KB item costs
/// 1 RU and grows with size; a write of a 1 KB item costs about 5 RU with default indexing and
/// grows by about 1 RU per further KB. The embedded store's figures are estimates, not measurements.
/// </summary>
internal static class RequestCharge
{
    public static double ForRead(int bytes) => Math.Round(Math.Max(1.0, bytes / 1024.0), 2);

    public static double ForWrite(int bytes) => Math.Round(5.0 + Math.Max(0.0, (bytes / 1024.0) - 1.0), 2);
}
