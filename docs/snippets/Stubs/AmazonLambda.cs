// Stand-ins for the members of the Amazon.Lambda.* packages that the documentation's hosting blocks use. Those packages are
// not dependencies of Durable.Fluent and cannot be restored here, so their few members are declared with the packages'
// namespaces and signatures (Amazon.Lambda.Core, Amazon.Lambda.Serialization.SystemTextJson, Amazon.Lambda.RuntimeSupport).
// Keep them to what the blocks use, with the real overloads, so overload resolution in a block is what it would be.
#pragma warning disable CA1040, CA1716, CA1822

namespace Amazon.Lambda.Core
{
    /// <summary>Amazon.Lambda.Core's invocation context (the members the blocks use).</summary>
    public interface ILambdaContext
    {
        string AwsRequestId { get; }

        TimeSpan RemainingTime { get; }
    }

    /// <summary>Amazon.Lambda.Core's serializer contract.</summary>
    public interface ILambdaSerializer
    {
        T Deserialize<T>(Stream requestStream);

        void Serialize<T>(T response, Stream responseStream);
    }

    /// <summary>Amazon.Lambda.Core's attribute naming the serializer of a class-library function.</summary>
    [AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Method, AllowMultiple = false)]
    public sealed class LambdaSerializerAttribute(Type serializerType) : Attribute
    {
        public Type SerializerType { get; } = serializerType;
    }
}

namespace Amazon.Lambda.Serialization.SystemTextJson
{
    /// <summary>Amazon.Lambda.Serialization.SystemTextJson's default serializer.</summary>
    public class DefaultLambdaJsonSerializer : Amazon.Lambda.Core.ILambdaSerializer
    {
        public T Deserialize<T>(Stream requestStream) => throw new NotSupportedException();

        public void Serialize<T>(T response, Stream responseStream) => throw new NotSupportedException();
    }
}

namespace Amazon.Lambda.RuntimeSupport
{
    using Amazon.Lambda.Core;

    /// <summary>Amazon.Lambda.RuntimeSupport's bootstrap builder (the stream overloads).</summary>
    public sealed class LambdaBootstrapBuilder
    {
        private LambdaBootstrapBuilder()
        {
        }

        public static LambdaBootstrapBuilder Create(Func<Stream, ILambdaContext, Task> handler) => new();

        public static LambdaBootstrapBuilder Create(Func<Stream, ILambdaContext, Task<Stream>> handler) => new();

        public static LambdaBootstrapBuilder Create(Func<Stream, Task<Stream>> handler) => new();

        public LambdaBootstrap Build() => new();
    }

    /// <summary>Amazon.Lambda.RuntimeSupport's runtime loop.</summary>
    public sealed class LambdaBootstrap : IDisposable
    {
        public Task RunAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
