#pragma once

#include "services/productservice.h"
#include "services/userservice.h"

namespace loopscope {

class Router;

// The course's in-memory state, shared by its routes for the server's lifetime.
struct CourseState
{
    UserService users;
    ProductService products;
};

// The course's basic endpoints: /sync, /async, /users, /products, /start-task, /signup, /cpu.
void addCourseRoutes(Router &router, CourseState &state);

} // namespace loopscope
