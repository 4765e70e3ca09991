using System.Text;

namespace Durable.Fluent.Definition;

internal static class DefinitionRenderer
{
    /// <summary>How a handler that is a pure function (no operation, no chain) is drawn.</summary>
    public const string FallbackLabel = "fallback function (no operation)";

    /// <summary>The nested arms of a node in declaration order; a null chain is a pure fallback function.</summary>
    public static IEnumerable<(Chain? Chain, string Label)> Arms(Node node) => node switch
    {
        TryNode t => t.Arms(),
        INestedChains n => n.GetNestedChains().Select(a => ((Chain?)a.Chain, a.Label)),
        _ => [],
    };

    public static string Render(Chain chain)
    {
        var sb = new StringBuilder();
        Render(chain, sb, 0);
        return sb.ToString();
    }

    private static void Render(Chain chain, StringBuilder sb, int depth)
    {
        foreach (var node in chain.Nodes)
        {
            sb.Append(' ', depth * 2).Append(node.Describe());
            if (node is WaitNode w)
            {
                sb.Append(" (").Append(w.Seconds).Append(" s)");
            }

            sb.Append('\n');
            if (node is ChildNode c)
            {
                Render(c.Body, sb, depth + 1);
            }

            foreach (var (nested, label) in Arms(node))
            {
                sb.Append(' ', (depth + 1) * 2).Append(label).Append(':');
                if (nested is null)
                {
                    sb.Append(' ').Append(FallbackLabel).Append('\n');
                    continue;
                }

                sb.Append('\n');
                Render(nested, sb, depth + 2);
            }
        }
    }
}

/// <summary>Renders a definition as a Mermaid flowchart: one box per node, a subgraph per context, branch, arm or handler.</summary>
internal sealed class MermaidRenderer
{
    private readonly StringBuilder _sb = new();
    private int _next;

    public static string Render(Chain chain)
    {
        var r = new MermaidRenderer();
        r._sb.Append("flowchart TD\n");
        r._sb.Append("  start((start))\n");
        var (first, last) = r.RenderChain(chain, 1);
        r._sb.Append("  done((end))\n");
        if (first is null)
        {
            r._sb.Append("  start --> done\n");
        }
        else
        {
            r._sb.Append("  start --> ").Append(first).Append('\n');
            r._sb.Append("  ").Append(last).Append(" --> done\n");
        }

        return r._sb.ToString();
    }

    private (string? First, string? Last) RenderChain(Chain chain, int depth)
    {
        string? first = null;
        string? previous = null;
        foreach (var node in chain.Nodes)
        {
            var id = RenderNode(node, depth);
            first ??= id;
            if (previous is not null)
            {
                Indent(depth).Append(previous).Append(" --> ").Append(id).Append('\n');
            }

            previous = id;
        }

        return (first, previous);
    }

    private string RenderNode(Node node, int depth)
    {
        var id = "n" + (++_next).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var label = Escape(Label(node));
        List<(Chain? Chain, string Label)>? nested = node switch
        {
            ChildNode c => [(c.Body, "body")],
            INestedChains => DefinitionRenderer.Arms(node).ToList(),
            _ => null,
        };
        if (nested is null)
        {
            var (open, close) = node switch
            {
                WaitNode or WaitForConditionNode => ("([\"", "\"])"),
                CreateCallbackNode or AwaitCallbackNode or WaitForCallbackNode or InvokeNode => ("{{\"", "\"}}"),
                SelectNode => ("[[\"", "\"]]"),
                _ => ("[\"", "\"]"),
            };
            Indent(depth).Append(id).Append(open).Append(label).Append(close).Append('\n');
            return id;
        }

        Indent(depth).Append("subgraph ").Append(id).Append("[\"").Append(label).Append("\"]\n");
        Indent(depth + 1).Append("direction TB\n");
        var i = 0;
        foreach (var (chain, armLabel) in nested)
        {
            var armId = id + "_" + (++i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Indent(depth + 1).Append("subgraph ").Append(armId).Append("[\"").Append(Escape(armLabel)).Append("\"]\n");
            if (chain is null)
            {
                Indent(depth + 2).Append(armId).Append("_fallback[[\"").Append(DefinitionRenderer.FallbackLabel).Append("\"]]\n");
                Indent(depth + 1).Append("end\n");
                continue;
            }

            var (first, _) = RenderChain(chain, depth + 2);
            if (first is null)
            {
                Indent(depth + 2).Append(armId).Append("_empty[\"(passes the value through)\"]\n");
            }

            Indent(depth + 1).Append("end\n");
        }

        Indent(depth).Append("end\n");
        return id;
    }

    private static string Label(Node node) => node switch
    {
        WaitNode w => $"{node.Describe()} ({w.Seconds} s)",
        SelectNode => node.Name is null ? "Select / Do" : node.Describe(),
        InvokeNode i => $"{node.Describe()} → {i.FunctionName}",
        _ => node.Describe(),
    };

    private static string Escape(string text) => text.Replace("\"", "#quot;", StringComparison.Ordinal);

    private StringBuilder Indent(int depth) => _sb.Append(' ', depth * 2);
}
