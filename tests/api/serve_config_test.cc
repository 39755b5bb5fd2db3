#include "api/serve_config.h"

#include <gtest/gtest.h>

#include <fstream>

namespace inferscope {
namespace {

TEST(ServeConfigTest, DefaultsBindLoopbackWithDurableWrites) {
  ServeConfigLoader loader;
  auto config = loader.Finish();
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->host(), "127.0.0.1");
  EXPECT_EQ(config->port(), 8080);
  EXPECT_EQ(config->fsync, "always");
  EXPECT_EQ(config->max_body_bytes, 20u << 20);
}

TEST(ServeConfigTest, LaterSourcesOverrideEarlierOnes) {
  ServeConfigLoader loader;
  ASSERT_TRUE(loader
                  .LoadYaml("listen: 127.0.0.1:9000\n"
                            "data_dir: /tmp/a\n"
                            "store:\n  fsync: never\n  retention_age: 7d\n"
                            "max_body_bytes: 1MiB\n",
                            "test.yaml")
                  .ok());
  ASSERT_TRUE(loader
                  .LoadEnvironment({"PATH=/bin", "INFERSCOPE_DATA_DIR=/tmp/b",
                                    "INFERSCOPE_STORE_FSYNC=interval=50ms"})
                  .ok());
  ASSERT_TRUE(loader.SetFlag("data-dir", "/tmp/c").ok());
  auto config = loader.Finish();
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->port(), 9000);
  EXPECT_EQ(config->data_dir, "/tmp/c");
  EXPECT_EQ(config->fsync, "interval=50ms");
  EXPECT_EQ(config->retention_age_ns, 7ll * 86400 * 1'000'000'000);
  EXPECT_EQ(config->max_body_bytes, 1u << 20);
  EXPECT_EQ(config->max_unflushed_bytes, 256u << 20);  // default
}

TEST(ServeConfigTest, PerUserRollupLimitsComeFromYamlEnvOrFlagsAndAreChecked) {
  ServeConfigLoader loader;
  EXPECT_EQ(loader.Finish()->max_users_per_model_hour, 1000u);
  EXPECT_EQ(loader.Finish()->user_cache_bytes, 256u << 20);
  ASSERT_TRUE(loader.LoadYaml("store:\n  max_users_per_model_hour: 50\n", "s.yaml").ok());
  ASSERT_TRUE(loader.LoadEnvironment({"INFERSCOPE_STORE_USER_CACHE_BYTES=64MiB"}).ok());
  auto config = loader.Finish();
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->max_users_per_model_hour, 50u);
  EXPECT_EQ(config->user_cache_bytes, 64u << 20);
  for (const char* bad : {"0", "-1", "12x", "2000000"}) {
    Status st = loader.SetFlag("store-max-users-per-model-hour", bad);
    EXPECT_NE(st.message().find("from 1 to 1000000"), std::string::npos) << bad << st.message();
  }
}

TEST(ServeConfigTest, WriteStallLimitsComeFromYamlEnvOrFlags) {
  ServeConfigLoader loader;
  ASSERT_TRUE(loader.LoadYaml("store:\n  max_unflushed_bytes: 64MiB\n", "s.yaml").ok());
  ASSERT_TRUE(loader.LoadEnvironment({"INFERSCOPE_STORE_STALL_TIMEOUT=250ms"}).ok());
  auto config = loader.Finish();
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->max_unflushed_bytes, 64u << 20);
  EXPECT_EQ(config->stall_timeout_ns, 250'000'000);
  ASSERT_TRUE(loader.SetFlag("store-max-unflushed-bytes", "0").ok());
  EXPECT_EQ(loader.Finish()->max_unflushed_bytes, 0u);
  Status tiny = loader.SetFlag("store-max-unflushed-bytes", "10KiB");
  EXPECT_NE(tiny.message().find("at least 1MiB"), std::string::npos) << tiny.message();
  Status zero = loader.SetFlag("store-stall-timeout", "0s");
  EXPECT_FALSE(zero.ok());
}

TEST(ServeConfigTest, ErrorsNameTheSourceLineAndKey) {
  ServeConfigLoader loader;
  Status st = loader.LoadYaml("listen: 127.0.0.1:9000\nstore:\n  fsync: sometimes\n", "c.yaml");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("c.yaml:3:3: store.fsync"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("sometimes"), std::string::npos);

  Status unknown = loader.LoadYaml("lisen: x\n", "c.yaml");
  EXPECT_NE(unknown.message().find("unknown key 'lisen'"), std::string::npos);

  Status env = loader.LoadEnvironment({"INFERSCOPE_MAX_BODY_BYTES=lots"});
  EXPECT_NE(env.message().find("$INFERSCOPE_MAX_BODY_BYTES: max_body_bytes"), std::string::npos)
      << env.message();

  Status flag = loader.SetFlag("listen", "nohost");
  EXPECT_NE(flag.message().find("--listen: listen"), std::string::npos) << flag.message();

  Status syntax = loader.LoadYaml("listen: [unclosed\n", "bad.yaml");
  EXPECT_NE(syntax.message().find("bad.yaml:"), std::string::npos) << syntax.message();
}

TEST(ServeConfigTest, TlsNeedsBothFiles) {
  ServeConfigLoader loader;
  ASSERT_TRUE(loader.SetFlag("tls-cert-file", "/tmp/cert.pem").ok());
  auto config = loader.Finish();
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("tls.key_file"), std::string::npos);
}

TEST(ServeConfigTest, RedactedJsonHidesTokens) {
  ServeConfigLoader loader;
  ASSERT_TRUE(loader.SetFlag("auth-api-token", "topsecret").ok());
  auto config = loader.Finish();
  ASSERT_TRUE(config.ok());
  std::string json = config->ToRedactedJson();
  EXPECT_EQ(json.find("topsecret"), std::string::npos);
  EXPECT_NE(json.find("\"api_token\":\"<redacted>\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"ingest_token\":\"\""), std::string::npos);
}

TEST(ServeConfigTest, KeepsTheAlertingSubtreeForTheAlertingSubsystem) {
  ServeConfigLoader loader;
  ASSERT_TRUE(
      loader.LoadYaml("alerting:\n  sinks:\n    - type: webhook\n      url: http://x/\n", "a.yaml")
          .ok());
  auto config = loader.Finish();
  ASSERT_TRUE(config.ok());
  EXPECT_NE(config->alerting_yaml.find("type: webhook"), std::string::npos)
      << config->alerting_yaml;
}

TEST(ServeConfigTest, EveryKeyHasOneEnvAndFlagSpelling) {
  for (const ServeConfigKey& key : ServeConfigLoader::Keys()) {
    EXPECT_EQ(key.EnvName().rfind("INFERSCOPE_", 0), 0u);
    EXPECT_EQ(key.FlagName().find('.'), std::string::npos);
  }
  ServeConfigKey key{"auth.ingest_token", ""};
  EXPECT_EQ(key.EnvName(), "INFERSCOPE_AUTH_INGEST_TOKEN");
  EXPECT_EQ(key.FlagName(), "auth-ingest-token");
}

TEST(ServeConfigTest, LoadsAFileAndReportsAMissingOne) {
  std::string path = ::testing::TempDir() + "/serve_config_test.yaml";
  std::ofstream(path) << "metrics:\n  prefix: acme_\n";
  ServeConfigLoader loader;
  ASSERT_TRUE(loader.LoadFile(path).ok());
  EXPECT_EQ(loader.Finish()->metrics_prefix, "acme_");
  EXPECT_EQ(loader.LoadFile("/nonexistent/x.yaml").code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace inferscope
