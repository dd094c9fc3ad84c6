using DocStore.Cli.Bench;

namespace DocStore.Cli.Tests;

public sealed class OperationMixTests
{
    [Fact]
    public void A_mix_gives_each_operation_its_share_of_the_weights()
    {
        var mix = OperationMix.Parse("get=80,upsert=15,patch=5");

        Assert.Equal([BenchOperation.Get, BenchOperation.Upsert, BenchOperation.Patch], mix.Operations);
        Assert.Equal(0.80, mix.Fraction(BenchOperation.Get), 10);
        Assert.Equal(0.15, mix.Fraction(BenchOperation.Upsert), 10);
        Assert.Equal(0.05, mix.Fraction(BenchOperation.Patch), 10);
    }

    [Fact]
    public void Weights_are_relative_names_ignore_case_and_spaces_and_zero_leaves_an_operation_out()
    {
        var mix = OperationMix.Parse(" PATCH = 1 , get=3, upsert=0");

        Assert.Equal([BenchOperation.Get, BenchOperation.Patch], mix.Operations);
        Assert.Equal(0.75, mix.Fraction(BenchOperation.Get), 10);
        Assert.Equal(0, mix.Fraction(BenchOperation.Upsert));
        Assert.Equal("get=3,patch=1", mix.ToString());
    }

    [Fact]
    public void The_write_operations_of_issue_12_are_names_of_the_mix()
    {
        var mix = OperationMix.Parse("batch=1,readmany=2,delete=3,replace=4,create=5,patch=6");

        Assert.Equal([BenchOperation.Patch, BenchOperation.Create, BenchOperation.Replace, BenchOperation.Delete, BenchOperation.ReadMany, BenchOperation.Batch], mix.Operations);
        Assert.Equal("patch=6,create=5,replace=4,delete=3,readmany=2,batch=1", mix.ToString());
        Assert.Equal(BenchOperation.ReadMany, OperationMix.Parse("ReadMany=1").Operations[0]);
    }

    [Theory]
    [InlineData("", "is not name=weight")]
    [InlineData("get", "is not name=weight")]
    [InlineData("get=80,remove=20", "'remove' is not an operation")]
    [InlineData("0=5", "'0' is not an operation")]
    [InlineData("get=-1", "must be a whole number")]
    [InlineData("get=1.5", "must be a whole number")]
    [InlineData("get=1,GET=2", "given twice")]
    [InlineData("get=0,patch=0", "at least one operation")]
    public void A_bad_mix_is_refused_saying_why(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => OperationMix.Parse(text));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Picking_maps_the_unit_interval_onto_the_weights_in_order()
    {
        var mix = OperationMix.Parse("get=80,upsert=15,patch=5");

        Assert.Equal(BenchOperation.Get, mix.Pick(0));
        Assert.Equal(BenchOperation.Get, mix.Pick(0.7999));
        Assert.Equal(BenchOperation.Upsert, mix.Pick(0.80));
        Assert.Equal(BenchOperation.Upsert, mix.Pick(0.9499));
        Assert.Equal(BenchOperation.Patch, mix.Pick(0.95));
        Assert.Equal(BenchOperation.Patch, mix.Pick(0.999999));
    }

    [Fact]
    public void A_seeded_random_sequence_follows_the_odds()
    {
        var mix = OperationMix.Parse("get=80,upsert=15,patch=5");
        var random = new Random(42);
        var counts = new Dictionary<BenchOperation, int>();
        for (var i = 0; i < 100_000; i++)
        {
            var op = mix.Pick(random.NextDouble());
            counts[op] = counts.GetValueOrDefault(op) + 1;
        }

        Assert.InRange(counts[BenchOperation.Get], 79_000, 81_000);
        Assert.InRange(counts[BenchOperation.Upsert], 14_000, 16_000);
        Assert.InRange(counts[BenchOperation.Patch], 4_500, 5_500);
    }
}
