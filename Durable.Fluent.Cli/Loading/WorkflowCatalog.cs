using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Durable.Fluent.Cli.Loading;

/// <summary>
/// The workflows of one or more .NET assemblies: every static field or property of type <see cref="Workflow{TIn, TOut}"/>
/// (public or not) on a non-generic type. A member marked <see cref="DurableFunctionAttribute"/> names the function it is
/// served as; any member can be picked by its full name (<c>Namespace.Type.Member</c>).
/// </summary>
/// <remarks>
/// Assemblies load into the default load context, so their <c>Durable.Fluent</c> is this tool's own (a workflow built
/// against a newer Durable.Fluent than the tool's fails to load, with a message saying so); their other dependencies are
/// resolved from the assembly's folder and its <c>.deps.json</c>, as <c>dotnet</c> would run it.
/// </remarks>
internal sealed class WorkflowCatalog
{
    private readonly List<WorkflowMember> _members = [];
    private readonly List<string> _assemblies = [];

    public IReadOnlyList<WorkflowMember> Members => _members;

    public IReadOnlyList<string> AssemblyPaths => _assemblies;

    public static WorkflowCatalog Load(IEnumerable<string> assemblyPaths)
    {
        var catalog = new WorkflowCatalog();
        foreach (var path in assemblyPaths)
        {
            catalog.Add(path);
        }

        return catalog;
    }

    /// <summary>Finds a workflow by function name (<see cref="DurableFunctionAttribute"/>) or by member name (<c>Type.Member</c>, or just <c>Member</c> when unique).</summary>
    public WorkflowMember Find(string spec)
    {
        var byFunction = _members.Where(m => m.FunctionNames.Contains(spec, StringComparer.Ordinal)).ToList();
        if (byFunction.Count == 1)
        {
            return byFunction[0];
        }

        var byName = _members.Where(m => m.FullName == spec || m.FullName.EndsWith("." + spec, StringComparison.Ordinal)).ToList();
        return byName.Count switch
        {
            1 => byName[0],
            0 => throw new UsageException($"No workflow '{spec}' in {string.Join(", ", _assemblies.Select(Path.GetFileName))}. {Choices()}"),
            _ => throw new UsageException($"'{spec}' names {byName.Count} workflows ({string.Join(", ", byName.Select(m => m.FullName))}); give the full name."),
        };
    }

    /// <summary>The only workflow of the assemblies, or the one <paramref name="spec"/> names.</summary>
    public WorkflowMember Single(string? spec)
    {
        if (spec is not null)
        {
            return Find(spec);
        }

        return _members.Count switch
        {
            1 => _members[0],
            0 => throw new UsageException($"{string.Join(", ", _assemblies.Select(Path.GetFileName))} has no static Workflow<TIn, TOut> field or property."),
            _ => throw new UsageException($"The assembly has {_members.Count} workflows: pick one with --workflow. {Choices()}"),
        };
    }

    public string Choices() => _members.Count == 0
        ? "It has no static Workflow<TIn, TOut> field or property."
        : "Workflows found: " + string.Join(", ", _members.Select(m => m.FunctionNames.Count > 0 ? $"{m.FullName} (function {string.Join(", ", m.FunctionNames)})" : m.FullName)) + ".";

    private void Add(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new UsageException($"Assembly not found: {full}. Build the project first (dotnet build) and pass its output .dll.");
        }

        Assembly assembly;
        try
        {
            var resolver = TryCreateResolver(full);
            var folder = Path.GetDirectoryName(full)!;
            AssemblyLoadContext.Default.Resolving += (context, name) =>
            {
                var candidate = resolver?.ResolveAssemblyToPath(name) ?? Path.Combine(folder, name.Name + ".dll");
                return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
            };
            if (resolver is not null)
            {
                AssemblyLoadContext.Default.ResolvingUnmanagedDll += (_, name) =>
                    resolver.ResolveUnmanagedDllToPath(name) is { } native ? NativeLibrary.Load(native) : IntPtr.Zero;
            }

            assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(full);
        }
        catch (BadImageFormatException)
        {
            throw new UsageException($"{full} is not a .NET assembly.");
        }
        catch (FileLoadException ex)
        {
            throw new CommandFailedException($"{full} could not be loaded: {ex.Message}");
        }

        _assemblies.Add(full);
        foreach (var type in Types(assembly, full))
        {
            if (type.IsGenericTypeDefinition || type.IsDefined(typeof(CompilerGeneratedAttribute), false))
            {
                continue;
            }

            const BindingFlags Flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var member in type.GetFields(Flags).Cast<MemberInfo>().Concat(type.GetProperties(Flags).Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is not null)))
            {
                var memberType = member is FieldInfo f ? f.FieldType : ((PropertyInfo)member).PropertyType;
                if (member.IsDefined(typeof(CompilerGeneratedAttribute), false) || !memberType.IsGenericType || memberType.GetGenericTypeDefinition() != typeof(Workflow<,>))
                {
                    continue;
                }

                var names = member.GetCustomAttributes<DurableFunctionAttribute>(false).Select(a => a.FunctionName).ToList();
                _members.Add(new WorkflowMember(member, memberType, names));
            }
        }
    }

    private static AssemblyDependencyResolver? TryCreateResolver(string path)
    {
        try
        {
            return new AssemblyDependencyResolver(path);
        }
        catch (InvalidOperationException)
        {
            return null; // no .deps.json: dependencies are looked up beside the assembly
        }
    }

    private static IEnumerable<Type> Types(Assembly assembly, string path)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            var first = ex.LoaderExceptions.FirstOrDefault(e => e is not null);
            if (ex.Types.All(t => t is null))
            {
                throw new CommandFailedException($"{path} could not be loaded: {first?.Message}");
            }

            return ex.Types.Where(t => t is not null)!;
        }
    }
}

/// <summary>A static <see cref="Workflow{TIn, TOut}"/> field or property, and the function names it is marked with.</summary>
internal sealed record WorkflowMember(MemberInfo Member, Type WorkflowType, IReadOnlyList<string> FunctionNames)
{
    public string FullName => $"{Member.DeclaringType!.FullName}.{Member.Name}";

    /// <summary>Reads the member (which runs the type's static initializer: the workflow's <c>Build()</c>).</summary>
    public LoadedWorkflow Load()
    {
        object? value;
        try
        {
            value = Member is FieldInfo field ? field.GetValue(null) : ((PropertyInfo)Member).GetValue(null);
        }
        catch (Exception ex) when (ex is TargetInvocationException or TypeInitializationException)
        {
            var inner = ex;
            while (inner.InnerException is not null && inner is TargetInvocationException or TypeInitializationException)
            {
                inner = inner.InnerException;
            }

            throw new CommandFailedException($"Building {FullName} failed: {inner.GetType().Name}: {inner.Message}");
        }

        return value is null
            ? throw new CommandFailedException($"{FullName} is null.")
            : LoadedWorkflow.Create(value, FullName);
    }
}
