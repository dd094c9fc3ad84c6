namespace DocStore.Cli.Bench;

/// <summary>The DocStore calls the benchmark makes.</summary>
internal enum BenchOperation
{
    /// <summary>DocStoreService/Get of a seeded document.</summary>
    Get,

    /// <summary>DocStoreService/Upsert of a whole document.</summary>
    Upsert,

    /// <summary>DocStoreService/Patch: one increment of a seeded document's counter.</summary>
    Patch,

    /// <summary>DocStoreService/Query: one page of up to 20 documents of a partition, with a filter every seeded document matches.</summary>
    Query,

    /// <summary>DocStoreService/ReadChanges: up to 20 changes of a partition, from the start of its feed.</summary>
    Changes,

    /// <summary>DocStoreService/Create of a new document (a new id each call) in a seeded partition.</summary>
    Create,

    /// <summary>DocStoreService/Replace of a seeded document with its own body.</summary>
    Replace,

    /// <summary>DocStoreService/Delete of a document the run created (a create runs instead while there is none).</summary>
    Delete,

    /// <summary>DocStoreService/ReadMany of <see cref="DocStoreWorkload.KeysPerCall"/> seeded documents picked at random.</summary>
    ReadMany,

    /// <summary>DocStoreService/ExecuteBatch of <see cref="DocStoreWorkload.KeysPerCall"/> upserts in one partition.</summary>
    Batch,
}

/// <summary>
/// The share of each operation in a run, parsed from <c>get=80,upsert=15,patch=5</c>. Weights are
/// relative (they need not sum to 100); an operation left out, or given 0, is not called.
/// </summary>
internal sealed class OperationMix
{
    private readonly (BenchOperation Operation, int Weight)[] _entries;
    private readonly int _total;

    private OperationMix((BenchOperation, int)[] entries)
    {
        _entries = entries;
        _total = entries.Sum(e => e.Item2);
    }

    /// <summary>The operations with a weight above zero, in the order get, upsert, patch, query, changes, create, replace, delete, readmany, batch.</summary>
    public IReadOnlyList<BenchOperation> Operations => [.. _entries.Select(e => e.Operation)];

    /// <summary>The fraction of calls that are <paramref name="operation"/>, 0 to 1.</summary>
    public double Fraction(BenchOperation operation) =>
        _entries.Where(e => e.Operation == operation).Sum(e => (double)e.Weight) / _total;

    /// <summary>A mix of one operation only.</summary>
    public static OperationMix Only(BenchOperation operation) => new([(operation, 1)]);

    /// <summary>Parses <c>name=weight</c> pairs separated by commas; names are get, upsert, patch, query, changes, create, replace, delete, readmany and batch.</summary>
    /// <exception cref="FormatException">The text is not a valid mix; the message says why.</exception>
    public static OperationMix Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var weights = new Dictionary<BenchOperation, int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || pair[0].Length == 0)
            {
                throw new FormatException($"'{part}' is not name=weight (for example get=80)");
            }

            if (!Enum.TryParse<BenchOperation>(pair[0], ignoreCase: true, out var operation) || !Enum.IsDefined(operation) || char.IsDigit(pair[0][0]))
            {
                throw new FormatException($"'{pair[0]}' is not an operation; use get, upsert, patch, query, changes, create, replace, delete, readmany or batch");
            }

            if (!int.TryParse(pair[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var weight))
            {
                throw new FormatException($"the weight of {pair[0]} must be a whole number of 0 or more, not '{pair[1]}'");
            }

            if (!weights.TryAdd(operation, weight))
            {
                throw new FormatException($"{pair[0]} is given twice");
            }
        }

        var entries = weights.Where(w => w.Value > 0).OrderBy(w => w.Key).Select(w => (w.Key, w.Value)).ToArray();
        if (entries.Length == 0)
        {
            throw new FormatException("at least one operation needs a weight above 0");
        }

        return new OperationMix(entries);
    }

    /// <summary>Picks an operation with the mix's odds, from a uniform number in [0, 1).</summary>
    public BenchOperation Pick(double uniform)
    {
        var target = uniform * _total;
        foreach (var (operation, weight) in _entries)
        {
            if (target < weight)
            {
                return operation;
            }

            target -= weight;
        }

        return _entries[^1].Operation;
    }

    /// <summary>The mix in the form <see cref="Parse"/> reads, with operation names in lower case.</summary>
    public override string ToString() =>
        string.Join(",", _entries.Select(e => $"{e.Operation.ToString().ToLowerInvariant()}={e.Weight}"));
}
