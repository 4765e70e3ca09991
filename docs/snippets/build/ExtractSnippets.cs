// The snippet extractor: an MSBuild task (compiled by RoslynCodeTaskFactory, see Durable.Fluent.Snippets.csproj) that reads
// the ```csharp blocks of the repository's markdown files and writes one C# source per block, wrapped by the kind its
// <!-- snippet: ... --> marker names, with #line directives so every compiler error points at the markdown line.
// The convention is documented in docs/snippets/README.md. netstandard2.0 APIs only (MSBuild compiles this file itself).
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class ExtractSnippets : Task
{
    private static readonly Regex Marker = new Regex(@"^<!--\s*snippet:\s*(?<spec>.*?)\s*-->$");
    private static readonly Regex UsingDirective = new Regex(@"^using\s+(static\s+)?[A-Za-z_][\w.]*(\s*=\s*[\w.<>, ]+)?\s*;\s*(//.*)?$");
    private static readonly Regex NamespaceDeclaration = new Regex(@"^\s*namespace\s+[\w.]+\s*[;{]?\s*$");
    private static readonly Regex JsonContext = new Regex(@"\bpartial\s+(?:class|record)\s+(?<name>\w+)\s*:\s*(?:[\w.]+\.)?JsonSerializerContext\b");
    private static readonly string[] Kinds = { "file", "members", "statements", "expression", "chain", "skip" };

    /// <summary>The markdown files to read (their identity is used in messages and #line directives).</summary>
    [Required]
    public ITaskItem[] Documents { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The repository root: document paths in the manifest are relative to it.</summary>
    [Required]
    public string RepositoryRoot { get; set; } = "";

    /// <summary>Where the generated sources go (emptied first).</summary>
    [Required]
    public string OutputDirectory { get; set; } = "";

    /// <summary>The manifest (JSON): every document with its count of C# blocks, and every block with its kind and lines (a record to review).</summary>
    [Required]
    public string ManifestPath { get; set; } = "";

    /// <summary>The using directives every fragment gets (a file block gets only its own).</summary>
    public ITaskItem[] FragmentUsings { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The generated sources to compile.</summary>
    [Output]
    public ITaskItem[] Sources { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        Directory.CreateDirectory(OutputDirectory);
        var sources = new List<ITaskItem>();
        var manifest = new StringBuilder();
        manifest.Append("{\n  \"fragmentUsings\": [").Append(string.Join(", ", FragmentUsings.Select(u => Json(u.ItemSpec)))).Append("],\n  \"documents\": [");
        var firstDocument = true;
        var blocks = new StringBuilder();
        var firstBlock = true;
        var jsonContexts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var document in Documents)
        {
            var path = Path.GetFullPath(document.ItemSpec);
            var relative = Relative(path);
            var count = 0;
            foreach (var block in Read(path))
            {
                count++;
                var spec = Parse(block, relative);
                if (spec == null)
                {
                    continue;
                }

                string? source = null;
                if (spec.Kind != "skip")
                {
                    source = Generate(block, spec, path, relative);
                    if (source == null)
                    {
                        continue;
                    }

                    if (!UniqueJsonContexts(block, relative, jsonContexts))
                    {
                        continue;
                    }

                    var file = Path.Combine(OutputDirectory, Identifier(relative) + ".L" + block.FenceLine + ".cs");
                    WriteIfChanged(file, source);
                    sources.Add(new TaskItem(file));
                }

                blocks.Append(firstBlock ? "\n" : ",\n").Append("    {")
                    .Append("\"path\": ").Append(Json(relative))
                    .Append(", \"line\": ").Append(block.FenceLine)
                    .Append(", \"firstLine\": ").Append(block.FirstLine)
                    .Append(", \"lastLine\": ").Append(block.FirstLine + block.Lines.Count - 1)
                    .Append(", \"kind\": ").Append(Json(spec.Kind))
                    .Append(", \"argument\": ").Append(Json(spec.Argument))
                    .Append('}');
                firstBlock = false;
            }

            manifest.Append(firstDocument ? "\n" : ",\n").Append("    {\"path\": ").Append(Json(relative)).Append(", \"csharpBlocks\": ").Append(count).Append('}');
            firstDocument = false;
        }

        manifest.Append("\n  ],\n  \"blocks\": [").Append(blocks).Append("\n  ]\n}\n");
        Directory.CreateDirectory(Path.GetDirectoryName(ManifestPath)!);
        WriteIfChanged(ManifestPath, manifest.ToString());

        // Sources of blocks that no longer exist (or moved to another line) must not be compiled.
        var current = new HashSet<string>(sources.Select(s => Path.GetFullPath(s.ItemSpec)), StringComparer.Ordinal);
        foreach (var stale in Directory.GetFiles(OutputDirectory, "*.cs"))
        {
            if (!current.Contains(Path.GetFullPath(stale)))
            {
                File.Delete(stale);
            }
        }
        Sources = sources.ToArray();
        return !Log.HasLoggedErrors;
    }

    private sealed class Block
    {
        public int FenceLine;           // 1-based line of the opening fence
        public int FirstLine;           // 1-based line of the first line of code
        public string MarkerText = "";  // the marker's spec, or null when there is none
        public bool HasMarker;
        public string Path = "";
        public List<string> Lines = new List<string>();
    }

    private sealed class Spec
    {
        public string Kind = "";
        public string? Argument;
    }

    /// <summary>The ```csharp blocks of a markdown file, with the marker on the nearest non-blank line above each.</summary>
    private static IEnumerable<Block> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var text = lines[i].TrimStart();
            if (!text.StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var indent = lines[i].Length - text.Length;
            var ticks = text.Length - text.TrimStart('`').Length;
            var info = text.Substring(ticks).Trim().ToLowerInvariant();
            var fence = new string('`', ticks);
            var end = i + 1;
            while (end < lines.Length && lines[end].Trim() != fence)
            {
                end++;
            }

            if (info == "csharp" || info == "cs" || info == "c#")
            {
                var block = new Block { FenceLine = i + 1, FirstLine = i + 2, Path = path };
                for (var j = i + 1; j < end; j++)
                {
                    var line = lines[j];
                    var strip = 0;
                    while (strip < indent && strip < line.Length && line[strip] == ' ')
                    {
                        strip++;
                    }

                    block.Lines.Add(line.Substring(strip));
                }

                var above = i - 1;
                while (above >= 0 && lines[above].Trim().Length == 0)
                {
                    above--;
                }

                var match = above >= 0 ? Marker.Match(lines[above].Trim()) : Match.Empty;
                block.HasMarker = match.Success;
                block.MarkerText = match.Success ? match.Groups["spec"].Value : "";
                yield return block;
            }

            i = end;
        }
    }

    private Spec? Parse(Block block, string relative)
    {
        if (!block.HasMarker)
        {
            Error(block, "SNIPPET001", "this ```csharp block has no <!-- snippet: KIND --> marker on the line above it. KIND is file, members, statements, expression, chain <Type>, or skip <reason> (docs/snippets/README.md).");
            return null;
        }

        var spec = new Spec();
        var text = block.MarkerText.Trim();
        var space = text.IndexOf(' ');
        spec.Kind = (space < 0 ? text : text.Substring(0, space)).ToLowerInvariant();
        spec.Argument = space < 0 ? null : text.Substring(space + 1).Trim();
        if (Array.IndexOf(Kinds, spec.Kind) < 0)
        {
            Error(block, "SNIPPET002", "unknown snippet kind '" + spec.Kind + "': use file, members, statements, expression, chain <Type> or skip <reason> (docs/snippets/README.md).");
            return null;
        }

        if (spec.Kind == "skip" && string.IsNullOrWhiteSpace(spec.Argument))
        {
            Error(block, "SNIPPET003", "a skipped block must say why: <!-- snippet: skip <reason> -->.");
            return null;
        }

        if (spec.Kind == "chain" && string.IsNullOrWhiteSpace(spec.Argument))
        {
            Error(block, "SNIPPET004", "a chain block names the workflow input type it continues: <!-- snippet: chain Order --> compiles Workflow.For<Order>() followed by the block.");
            return null;
        }

        if (spec.Kind != "chain" && spec.Kind != "skip" && !string.IsNullOrEmpty(spec.Argument))
        {
            Error(block, "SNIPPET005", "the snippet kind '" + spec.Kind + "' takes no argument (found '" + spec.Argument + "').");
            return null;
        }

        return spec;
    }

    private string? Generate(Block block, Spec spec, string path, string relative)
    {
        var ns = "Snippets." + Identifier(relative) + ".L" + block.FenceLine;
        var file = path.Replace("\\", "\\\\").Replace("\"", "\\\"");
        var sb = new StringBuilder();
        sb.Append("// Generated from ").Append(relative).Append(':').Append(block.FenceLine).Append(" (").Append(spec.Kind)
          .Append(") by docs/snippets. Edit the markdown, not this file.\n");

        if (spec.Kind == "file")
        {
            // Only the block's own using lines apply. A namespace is added after them unless the block declares one, so the
            // types of one block never collide with another's or with the shared stubs.
            var insertAt = block.Lines.Count;
            var hasNamespace = false;
            for (var i = 0; i < block.Lines.Count; i++)
            {
                var t = block.Lines[i].Trim();
                if (NamespaceDeclaration.IsMatch(t))
                {
                    hasNamespace = true;
                }

                if (insertAt == block.Lines.Count && !(t.Length == 0 || t.StartsWith("//", StringComparison.Ordinal) || UsingDirective.IsMatch(t)
                    || t.StartsWith("global using ", StringComparison.Ordinal) || t.StartsWith("[assembly:", StringComparison.Ordinal)))
                {
                    insertAt = i;
                }
            }

            if (hasNamespace)
            {
                AppendLines(sb, block, 0, block.Lines.Count, file);
            }
            else
            {
                AppendLines(sb, block, 0, insertAt, file);
                sb.Append("#line hidden\nnamespace ").Append(ns).Append(";\n");
                AppendLines(sb, block, insertAt, block.Lines.Count, file);
            }

            sb.Append("#line default\n");
            return sb.ToString();
        }

        // Fragments: the documented usings, then the block's own leading using lines (hoisted), then the block in its wrapper.
        foreach (var u in FragmentUsings)
        {
            sb.Append("using ").Append(u.ItemSpec).Append(";\n");
        }

        var start = 0;
        while (start < block.Lines.Count && (block.Lines[start].Trim().Length == 0 || UsingDirective.IsMatch(block.Lines[start].Trim())))
        {
            if (block.Lines[start].Trim().Length > 0)
            {
                sb.Append("#line ").Append(block.FirstLine + start).Append(" \"").Append(file).Append("\"\n").Append(block.Lines[start]).Append('\n');
            }

            start++;
        }

        var awaits = block.Lines.Any(l => Regex.IsMatch(l, @"\bawait\b"));
        sb.Append("#line hidden\nnamespace ").Append(ns).Append("\n{\n    internal abstract partial class Snippet : global::SnippetScope\n    {\n");
        switch (spec.Kind)
        {
            case "members":
                AppendLines(sb, block, start, block.Lines.Count, file);
                break;
            case "statements":
                sb.Append(awaits ? "        private async global::System.Threading.Tasks.Task Run()\n" : "        private void Run()\n").Append("        {\n");
                AppendLines(sb, block, start, block.Lines.Count, file);
                sb.Append("#line hidden\n        }\n");
                break;
            case "expression":
                sb.Append(awaits ? "        private async global::System.Threading.Tasks.Task<object?> Expression() =>\n" : "        private object? Expression() =>\n");
                AppendLines(sb, block, start, block.Lines.Count, file);
                sb.Append("#line hidden\n        ;\n");
                break;
            case "chain":
                // Mapped to the block's first line, not hidden: analyzers skip operations that start in hidden code, and every
                // call of the chain starts at this Workflow.For<T>().
                sb.Append("#line ").Append(block.FirstLine + start).Append(" \"").Append(file).Append("\"\n")
                  .Append("        private object? Chain() => global::Durable.Fluent.Workflow.For<").Append(spec.Argument).Append(">()\n");
                AppendLines(sb, block, start, block.Lines.Count, file);
                sb.Append("#line hidden\n        ;\n");
                break;
        }

        sb.Append("#line hidden\n    }\n}\n#line default\n");
        return sb.ToString();
    }

    /// <summary>
    /// The System.Text.Json source generator names its outputs after the context's simple name, so two contexts of the same
    /// name in one compilation break it (CS8785, with no location). Reported here instead, at the second block.
    /// </summary>
    private bool UniqueJsonContexts(Block block, string relative, Dictionary<string, string> seen)
    {
        foreach (Match m in JsonContext.Matches(string.Join("\n", block.Lines)))
        {
            var name = m.Groups["name"].Value;
            if (seen.TryGetValue(name, out var first))
            {
                Error(block, "SNIPPET006", "this block declares the JsonSerializerContext '" + name + "', as " + first + " does: the documentation compiles as one project, where the System.Text.Json source generator needs distinct context names. Rename one of them.");
                return false;
            }

            seen[name] = relative + ":" + block.FenceLine;
        }

        return true;
    }

    /// <summary>Writes only when the content changed, so an unchanged document does not force a recompilation.</summary>
    private static void WriteIfChanged(string path, string content)
    {
        if (!File.Exists(path) || File.ReadAllText(path) != content)
        {
            File.WriteAllText(path, content);
        }
    }

    private static void AppendLines(StringBuilder sb, Block block, int from, int to, string file)
    {
        if (from >= to)
        {
            return;
        }

        sb.Append("#line ").Append(block.FirstLine + from).Append(" \"").Append(file).Append("\"\n");
        for (var i = from; i < to; i++)
        {
            sb.Append(block.Lines[i]).Append('\n');
        }
    }

    private void Error(Block block, string code, string message)
        => Log.LogError("snippets", code, null, block.Path, block.FenceLine, 1, 0, 0, message);

    private string Relative(string path)
    {
        var root = Path.GetFullPath(RepositoryRoot).TrimEnd('/', '\\') + Path.DirectorySeparatorChar;
        return path.StartsWith(root, StringComparison.Ordinal) ? path.Substring(root.Length).Replace('\\', '/') : path.Replace('\\', '/');
    }

    private static string Identifier(string relative)
    {
        var sb = new StringBuilder();
        foreach (var c in relative)
        {
            sb.Append(char.IsLetterOrDigit(c) ? c : '_');
        }

        return sb.ToString();
    }

    private static string Json(string? value)
    {
        if (value == null)
        {
            return "null";
        }

        var sb = new StringBuilder("\"");
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < ' ')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4"));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
