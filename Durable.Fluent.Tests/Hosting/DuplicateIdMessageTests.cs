using Durable.Fluent.Hosting;
using Durable.Fluent.Wire;

namespace Durable.Fluent.Tests.Hosting;

/// <summary>
/// The duplicate-id check keeps no per-operation location strings (it runs for every recorded operation of every
/// invocation), yet its message still names where each copy was read.
/// </summary>
public class DuplicateIdMessageTests
{
    private static Operation Op(string id) => new() { Id = id, Type = OperationType.Step, Status = OperationStatus.Succeeded };

    [Test]
    public void A_duplicate_in_the_same_page_names_both_positions()
    {
        var pages = new List<(string Where, IReadOnlyList<Operation?> Page)>();
        var ex = Assert.Throws<InvalidInvocationInputException>(() => EnvelopeValidator.AddPage(new Dictionary<string, Operation>(), [Op("a"), Op("b"), Op("a")], "InitialExecutionState", pages));
        Assert.That(ex!.Message, Does.Contain("'a' appears twice").And.Contain("at InitialExecutionState.Operations[0] and at InitialExecutionState.Operations[2]"));
    }

    [Test]
    public void A_duplicate_across_pages_names_the_earlier_page()
    {
        var operations = new Dictionary<string, Operation>();
        var pages = new List<(string Where, IReadOnlyList<Operation?> Page)>();
        EnvelopeValidator.AddPage(operations, [Op("x"), Op("y")], "InitialExecutionState", pages);
        EnvelopeValidator.AddPage(operations, [Op("z")], "state page 2", pages);
        var ex = Assert.Throws<InvalidInvocationInputException>(() => EnvelopeValidator.AddPage(operations, [Op("w"), Op("y")], "state page 3", pages));
        Assert.That(ex!.Message, Does.Contain("at InitialExecutionState.Operations[1] and at state page 3.Operations[1]"));
        Assert.That(operations.Keys, Is.EquivalentTo(new[] { "x", "y", "z", "w" }));
    }
}
