Console.WriteLine("example placeholder");
