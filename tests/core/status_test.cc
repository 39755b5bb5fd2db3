#include "core/status.h"

#include <gtest/gtest.h>

namespace inferscope {
namespace {

TEST(StatusTest, DefaultsToOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "ok");
  EXPECT_TRUE(Status::Ok().ok());
}

TEST(StatusTest, FactoriesSetCodeAndMessage) {
  EXPECT_EQ(Status::InvalidArgument("x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Status::NotFound("x").code(), StatusCode::kNotFound);
  EXPECT_EQ(Status::DataLoss("x").code(), StatusCode::kDataLoss);
  EXPECT_EQ(Status::IoError("x").code(), StatusCode::kIoError);
  EXPECT_EQ(Status::Unavailable("x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(Status::ResourceExhausted("x").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(Status::Internal("boom").message(), "boom");
  EXPECT_FALSE(Status::Internal("boom").ok());
}

TEST(StatusTest, PrefixesContextOnlyOnErrors) {
  Status s = Status::NotFound("no such file").WithContext("reading a.jsonl");
  EXPECT_EQ(s.message(), "reading a.jsonl: no such file");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_TRUE(Status::Ok().WithContext("ctx").ok());
  EXPECT_EQ(Status::Ok().WithContext("ctx").message(), "");
}

TEST(StatusTest, RendersCodeNameAndMessage) {
  EXPECT_EQ(Status::InvalidArgument("bad flag").ToString(), "invalid_argument: bad flag");
  EXPECT_EQ(StatusCodeName(StatusCode::kDataLoss), "data_loss");
  EXPECT_EQ(StatusCodeName(StatusCode::kResourceExhausted), "resource_exhausted");
  EXPECT_EQ(StatusCodeName(StatusCode::kUnimplemented), "unimplemented");
}

TEST(StatusTest, MapsCodesToExitCodes) {
  EXPECT_EQ(ExitCodeFor(Status::Ok()), 0);
  EXPECT_EQ(ExitCodeFor(Status::InvalidArgument("x")), 2);
  EXPECT_EQ(ExitCodeFor(Status::NotFound("x")), 2);
  EXPECT_EQ(ExitCodeFor(Status::DataLoss("x")), 1);
  EXPECT_EQ(ExitCodeFor(Status::IoError("x")), 1);
  EXPECT_EQ(ExitCodeFor(Status::Internal("x")), 1);
  EXPECT_EQ(ExitCodeFor(Status(StatusCode::kUnimplemented, "x")), 1);
}

Status FailsWhen(bool fail) {
  INFERSCOPE_RETURN_IF_ERROR(fail ? Status::IoError("disk") : Status::Ok());
  return Status::Internal("reached the end");
}

TEST(StatusTest, ReturnIfErrorPropagatesOnlyErrors) {
  EXPECT_EQ(FailsWhen(true).code(), StatusCode::kIoError);
  EXPECT_EQ(FailsWhen(false).code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace inferscope
