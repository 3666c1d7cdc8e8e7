console.log("hello from the demo project");
