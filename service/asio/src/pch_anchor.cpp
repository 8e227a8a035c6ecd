// Compiles the precompiled header shared by the Asio modules (service/CMakeLists.txt).
