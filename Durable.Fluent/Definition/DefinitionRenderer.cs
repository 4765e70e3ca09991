using System.Text;

namespace Durable.Fluent.Definition;

internal static class DefinitionRenderer
{
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

            if (node is INestedChains n)
            {
                foreach (var (nested, label) in n.GetNestedChains())
                {
                    sb.Append(' ', (depth + 1) * 2).Append(label).Append(":\n");
                    Render(nested, sb, depth + 2);
                }
            }
        }
    }
}
