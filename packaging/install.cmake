# install layout and CPack: see the app issue
