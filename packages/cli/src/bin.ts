console.log("simplebackup");
