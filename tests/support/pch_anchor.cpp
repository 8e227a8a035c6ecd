// Compiles the precompiled headers shared by the test targets (tests/CMakeLists.txt).
